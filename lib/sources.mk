# The wire codecs' sources, listed once: lib/Makefile.am builds them into
# librvwire, tests/fuzz/fuzz.mk compiles them with clang's fuzzer
# instrumentation.
RV_WIRE_SRC = rv_err.c rv_name.c rv_ip.c rv_time.c rv_num.c rv_rdata.c \
	rv_rdata_text.c rv_frame.c rv_msg.c rv_msg_scrub.c rv_file.c rv_conf.c
