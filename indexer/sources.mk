# The indexer's core (everything of rearviewd but main.c and the nng
# receiver), listed once: indexer/Makefile.am builds it into librvd for
# rearviewd and the unit tests, tests/fuzz/fuzz.mk compiles it with
# clang's fuzzer instrumentation for fuzz_import.
RVD_CORE_SRC = agg.c flush.c enrich.c log.c sensors.c admit.c import.c \
	options.c notify.c
