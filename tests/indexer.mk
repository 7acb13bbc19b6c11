# Tests of the store (store/rv_store*, store/rv_set.c) and the indexer.
IDX_SRC = $(top_srcdir)/indexer
IDX_CPPFLAGS = -I$(top_srcdir)/lib -I$(top_srcdir)/store -I$(IDX_SRC)
IDX_CFLAGS = $(AM_CFLAGS) $(MAXMINDDB_CFLAGS) $(JANSSON_CFLAGS)
IDX_LIBS = $(top_builddir)/indexer/librvd.la $(RV_LIB) $(LMDB_LIBS) \
	$(MAXMINDDB_LIBS) $(JANSSON_LIBS) $(NNG_LIBS) $(PTHREAD_LIBS) -lm

if HAVE_CMOCKA
INDEXER_TESTS = test_store test_indexer test_indexer_import test_journal \
	test_indexer_admit test_sink_send
check_PROGRAMS += $(INDEXER_TESTS)
TESTS += $(INDEXER_TESTS)
test_store_SOURCES = unit/test_store.c $(TMP_STORE)
# The engine layer's own test sits beside it in store/: it sees LMDB.
check_PROGRAMS += test_store_lmdb
TESTS += test_store_lmdb
test_store_lmdb_SOURCES = ../store/test_store_lmdb.c $(TMP_STORE)
test_store_lmdb_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/unit
test_store_lmdb_LDADD = $(RV_LIB) $(LMDB_LIBS) $(CMOCKA_LIBS)
# Damaged files (truncated, lying meta pages, faults under a reader, a
# second writer): beside the store too, it damages through LMDB's layout.
check_PROGRAMS += test_seg
TESTS += test_seg
test_seg_SOURCES = ../store/test_seg.c $(TMP_STORE)
test_seg_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/unit
test_seg_LDADD = $(RV_LIB) $(LMDB_LIBS) $(MTBL_LIBS) $(PTHREAD_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += test_store_damage
TESTS += test_store_damage
test_store_damage_SOURCES = ../store/test_store_damage.c $(TMP_STORE)
test_store_damage_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/unit
test_store_damage_LDADD = $(RV_LIB) $(LMDB_LIBS) $(PTHREAD_LIBS) $(CMOCKA_LIBS)
test_store_CPPFLAGS = $(IDX_CPPFLAGS)
test_store_LDADD = $(RV_LIB) $(LMDB_LIBS) $(CMOCKA_LIBS)
test_indexer_SOURCES = unit/test_indexer.c $(TMP_STORE)
test_indexer_CPPFLAGS = $(IDX_CPPFLAGS)
test_indexer_CFLAGS = $(IDX_CFLAGS)
test_indexer_LDADD = $(IDX_LIBS) $(CMOCKA_LIBS)
# The ClickHouse sink's sender (indexer/sink_send.c) against a fake
# ClickHouse (an HTTP thread that gunzips and records each post).
test_sink_send_SOURCES = unit/test_sink_send.c unit/ch_sample.c unit/ch_sample.h
test_sink_send_CPPFLAGS = $(IDX_CPPFLAGS)
test_sink_send_CFLAGS = $(IDX_CFLAGS) $(ZLIB_CFLAGS)
test_sink_send_LDADD = $(IDX_LIBS) $(ZLIB_LIBS) $(CMOCKA_LIBS)
# Store rows as ClickHouse RowBinary rows (store/rv_ch.c).
check_PROGRAMS += test_ch_row
TESTS += test_ch_row
test_ch_row_SOURCES = unit/test_ch_row.c unit/ch_sample.c unit/ch_sample.h
test_ch_row_CPPFLAGS = $(IDX_CPPFLAGS)
test_ch_row_LDADD = $(RV_LIB) $(LMDB_LIBS) $(CMOCKA_LIBS)
# The sinks' durable queue of batches (indexer/journal.c).
test_journal_SOURCES = unit/test_journal.c
test_journal_CPPFLAGS = $(IDX_CPPFLAGS)
test_journal_CFLAGS = $(IDX_CFLAGS)
test_journal_LDADD = $(IDX_LIBS) $(CMOCKA_LIBS)
test_indexer_import_SOURCES = unit/test_indexer_import.c $(TMP_STORE)
test_indexer_import_CPPFLAGS = $(IDX_CPPFLAGS)
test_indexer_import_CFLAGS = $(IDX_CFLAGS)
test_indexer_import_LDADD = $(IDX_LIBS) $(CMOCKA_LIBS)
test_indexer_admit_SOURCES = unit/test_indexer_admit.c unit/frame_sample.c \
	unit/frame_sample.h $(TMP_STORE)
test_indexer_admit_CPPFLAGS = $(IDX_CPPFLAGS)
test_indexer_admit_CFLAGS = $(IDX_CFLAGS)
test_indexer_admit_LDADD = $(IDX_LIBS) $(CMOCKA_LIBS)
endif

# End to end: real rearviewd, real nng, real LMDB; tools/rvgen sends
# frames, tools/rv_dbdump reads the database back through store/.
INDEXER_E2E = e2e/indexer_ingest.sh e2e/indexer_crash.sh \
	e2e/indexer_import.sh e2e/indexer_ops.sh e2e/indexer_pipeline.sh \
	e2e/indexer_diskfull.sh e2e/indexer_tls.sh e2e/indexer_oversize.sh \
	e2e/backup.sh e2e/archive.sh e2e/archive_daemon.sh \
	e2e/compact_daemon.sh e2e/clickhouse_schema.sh \
	e2e/clickhouse_sink.sh
TESTS += $(INDEXER_E2E)
EXTRA_DIST += $(INDEXER_E2E) e2e/indexer_lib.sh e2e/ch_lib.sh e2e/port_lib.sh
