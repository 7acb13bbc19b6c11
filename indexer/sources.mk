# The indexer's core (everything of rearviewd but main.c and the nng
# receiver), listed once: indexer/Makefile.am builds it into librvd for
# rearviewd and the unit tests, tests/fuzz/fuzz.mk compiles it with
# clang's fuzzer instrumentation for fuzz_import.
RVD_CORE_SRC = agg.c flush.c enrich.c log.c sensors.c admit.c import.c \
	import_mark.c \
	options.c notify.c compact.c journal.c sink_batch.c
# The dnstap input (Frame Streams server, dnstap decoder, the glue to the
# daemon): kept out of RVD_CORE_SRC because the decoder needs the header
# protoc-c generates from dnstap.proto and libprotobuf-c.
RVD_DNSTAP_SRC = fstrm_server.c dnstap_decode.c dnstap_in.c \
	dnstap_records.c import_dnstap.c
# The ClickHouse sink (issue #22): batches of each flush's deltas, kept in
# a journal and posted over HTTP with libcurl; out of RVD_CORE_SRC so the
# fuzzers need no libcurl.
RVD_SINK_SRC = sink.c sink_send.c
