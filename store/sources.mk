# The store's sources, listed once: store/Makefile.am builds librvstore,
# tests/fuzz/fuzz.mk compiles them with clang's fuzzer instrumentation.
RV_STORE_SRC = rv_store.c rv_store_txn.c rv_store_key.c rv_store_val.c \
	rv_store_meta.c rv_store_names.c rv_store_import.c rv_set.c rv_psort.c \
	rv_store_guard.c rv_store_check.c rv_store_regdom.c \
	rv_seg.c rv_seg_val.c rv_tier.c rv_archive.c rv_archive_merge.c \
	rv_store_compact.c rv_ch.c rv_ch_sink.c
