# libFuzzer targets, built with clang when it is there (`make fuzz`), and
# short bounded runs of each (`make fuzz-run`, FUZZ_SECONDS each).
# Each target is one C file that defines LLVMFuzzerTestOneInput and is
# compiled with the lib sources it exercises; corpora live in
# tests/fuzz/corpus/<target>/.
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -I$(top_srcdir)/lib -I$(top_srcdir)/store $(LDNS_CFLAGS)
include $(top_srcdir)/lib/sources.mk
include $(top_srcdir)/store/sources.mk
include $(top_srcdir)/indexer/sources.mk
FUZZ_LIBSRC = $(addprefix $(top_srcdir)/lib/,$(RV_WIRE_SRC))
FUZZ_NAMES = fuzz_frame fuzz_parse fuzz_keys fuzz_import fuzz_serve_req \
	fuzz_phish fuzz_dnstap fuzz_msg
FUZZ_TARGETS += $(FUZZ_NAMES:%=fuzz/%)
EXTRA_DIST += fuzz/fuzz_frame.c fuzz/fuzz_parse.c fuzz/fuzz_keys.c \
	fuzz/fuzz_import.c fuzz/fuzz_serve_req.c fuzz/fuzz_phish.c \
	fuzz/fuzz_dnstap.c fuzz/fuzz_msg.c fuzz/corpus \
	fuzz/lsan.supp
# Targets that need more than the parsers: the store's keys and values
# (fuzz_keys), the indexer's import parser with its aggregation table
# (fuzz_import). Their sources and libraries, by target name.
FUZZ_STORESRC = $(addprefix $(top_srcdir)/store/,$(RV_STORE_SRC))
FUZZ_IDXSRC = $(addprefix $(top_srcdir)/indexer/,$(RVD_CORE_SRC))
fuzz_keys_SRC = $(FUZZ_STORESRC)
fuzz_keys_LIBS = $(LMDB_LIBS) $(MTBL_LIBS) $(PSL_LIBS)
fuzz_import_SRC = $(FUZZ_STORESRC) $(FUZZ_IDXSRC)
fuzz_import_LIBS = $(LMDB_LIBS) $(MTBL_LIBS) $(PSL_LIBS) $(JANSSON_LIBS) $(MAXMINDDB_LIBS) \
	$(PTHREAD_LIBS) -lm

# The service's request targets (fuzz_serve_req): the parser and the
# engine's type names.
fuzz_serve_req_SRC = $(top_srcdir)/serve/sv_req.c $(top_srcdir)/query/filter.c

# The phishing engine (fuzz_phish): the watch file and judged names.
fuzz_phish_SRC = $(top_srcdir)/query/phish_watch.c \
	$(top_srcdir)/query/phish_lex.c $(top_srcdir)/query/phish_score.c

# rearviewd's dnstap input (fuzz_dnstap): the decoder and the code
# protoc-c generates from indexer/dnstap.proto (in the indexer's build
# directory), with libprotobuf-c, and what a kept message becomes: the
# records hook's batches merged into an aggregation table.
fuzz_dnstap_SRC = $(top_srcdir)/indexer/dnstap_decode.c \
	$(top_builddir)/indexer/dnstap.pb-c.c \
	$(top_srcdir)/indexer/dnstap_records.c $(FUZZ_IDXSRC) $(FUZZ_STORESRC)

if HAVE_CLANG
$(top_builddir)/indexer/dnstap.pb-c.c:
	cd $(top_builddir)/indexer && $(MAKE) $(AM_MAKEFLAGS) dnstap.pb-c.c

fuzz/fuzz_dnstap: $(srcdir)/fuzz/fuzz_dnstap.c $(fuzz_dnstap_SRC)
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) $(FUZZ_CFLAGS) -I$(top_builddir) \
	  -I$(top_srcdir)/indexer -I$(top_builddir)/indexer \
	  $(PROTOBUF_C_CFLAGS) $(LMDB_CFLAGS) $(JANSSON_CFLAGS) \
	  $(MAXMINDDB_CFLAGS) -o $@ $< $(fuzz_dnstap_SRC) $(FUZZ_LIBSRC) \
	  $(PROTOBUF_C_LIBS) $(fuzz_import_LIBS) $(LDNS_LIBS) \
	  $(FUZZ_EXTRA_LIBS)

fuzz/fuzz_phish: $(srcdir)/fuzz/fuzz_phish.c $(FUZZ_LIBSRC) $(fuzz_phish_SRC)
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) $(FUZZ_CFLAGS) -I$(top_builddir) -I$(top_srcdir)/query $(ICU_CFLAGS) \
	  $(IDN2_CFLAGS) -o $@ $< $(FUZZ_LIBSRC) $(fuzz_phish_SRC) \
	  $(LDNS_LIBS) $(ICU_LIBS) $(IDN2_LIBS) -lm $(FUZZ_EXTRA_LIBS)

fuzz/fuzz_serve_req: $(srcdir)/fuzz/fuzz_serve_req.c $(FUZZ_LIBSRC) \
	$(fuzz_serve_req_SRC)
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) $(FUZZ_CFLAGS) -I$(top_srcdir)/serve \
	  -I$(top_srcdir)/query -o $@ $< $(FUZZ_LIBSRC) $(fuzz_serve_req_SRC) \
	  $(LDNS_LIBS) $(FUZZ_EXTRA_LIBS)

fuzz/%: $(srcdir)/fuzz/%.c $(FUZZ_LIBSRC)
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIBSRC) $(LDNS_LIBS) $(FUZZ_EXTRA_LIBS)

fuzz/fuzz_keys: $(fuzz_keys_SRC)
fuzz/fuzz_import: $(fuzz_import_SRC)
fuzz/fuzz_keys fuzz/fuzz_import: fuzz/%: $(srcdir)/fuzz/%.c $(FUZZ_LIBSRC)
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) $(FUZZ_CFLAGS) -I$(top_builddir) \
	  -I$(top_srcdir)/indexer $(LMDB_CFLAGS) $(JANSSON_CFLAGS) \
	  $(MAXMINDDB_CFLAGS) -o $@ $< $(FUZZ_LIBSRC) $($*_SRC) \
	  $(LDNS_LIBS) $($*_LIBS) $(FUZZ_EXTRA_LIBS)

fuzz-run: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
	  n=$${t#fuzz/}; c=$(srcdir)/fuzz/corpus/$${n#fuzz_}; \
	  mkdir -p $$c fuzz/new-$$n; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
	  LSAN_OPTIONS=suppressions=$(abs_srcdir)/fuzz/lsan.supp:print_suppressions=0 \
	  ASAN_OPTIONS=fast_unwind_on_malloc=0 \
	  ./$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
	    fuzz/new-$$n $$c 2>fuzz/$$n.out || { tail -50 fuzz/$$n.out; exit 1; }; \
	  grep -E 'stat::number_of_executed_units|Done' fuzz/$$n.out | head -2; \
	done
else
fuzz-run:
	@echo "fuzz: clang not found, fuzzers skipped"
endif
CLEANFILES += $(FUZZ_TARGETS)
.PHONY: fuzz-run
