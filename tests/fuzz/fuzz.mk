# libFuzzer targets, built with clang when it is there (`make fuzz`), and
# short bounded runs of each (`make fuzz-run`, FUZZ_SECONDS each).
# Each target is one C file that defines LLVMFuzzerTestOneInput and is
# compiled with the lib sources it exercises; corpora live in
# tests/fuzz/corpus/<target>/.
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -I$(top_srcdir)/lib $(LDNS_CFLAGS)
FUZZ_LIBSRC = $(top_srcdir)/lib/rv_err.c $(top_srcdir)/lib/rv_name.c \
	$(top_srcdir)/lib/rv_ip.c $(top_srcdir)/lib/rv_time.c \
	$(top_srcdir)/lib/rv_rdata.c $(top_srcdir)/lib/rv_frame.c
FUZZ_NAMES = fuzz_frame fuzz_parse
FUZZ_TARGETS += $(FUZZ_NAMES:%=fuzz/%)
EXTRA_DIST += fuzz/fuzz_frame.c fuzz/fuzz_parse.c fuzz/corpus

if HAVE_CLANG
fuzz/%: $(srcdir)/fuzz/%.c $(FUZZ_LIBSRC)
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIBSRC) $(LDNS_LIBS) $(FUZZ_EXTRA_LIBS)

fuzz-run: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
	  n=$${t#fuzz/}; c=$(srcdir)/fuzz/corpus/$${n#fuzz_}; \
	  mkdir -p $$c fuzz/new-$$n; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
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
