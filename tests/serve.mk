# The HTTP service (serve/): its request parser and keys as units; the
# whole service over curl against the demo world's database end to end.
if HAVE_CMOCKA
SERVE_TESTS = test_serve_req test_serve_keys test_serve_stream test_serve_fmt
check_PROGRAMS += $(SERVE_TESTS)
TESTS += $(SERVE_TESTS)
SERVE_CPPFLAGS = -I$(top_srcdir)/lib -I$(top_srcdir)/store \
	-I$(top_srcdir)/query -I$(top_srcdir)/serve -I$(top_builddir)
SERVE_LDADD = $(top_builddir)/serve/librvserve.la $(RV_LIB) $(CMOCKA_LIBS) \
	$(PTHREAD_LIBS)
test_serve_req_SOURCES = unit/test_serve_req.c
test_serve_req_CPPFLAGS = $(SERVE_CPPFLAGS)
test_serve_req_LDADD = $(SERVE_LDADD)
test_serve_keys_SOURCES = unit/test_serve_keys.c
test_serve_keys_CPPFLAGS = $(SERVE_CPPFLAGS)
test_serve_keys_LDADD = $(SERVE_LDADD)
test_serve_stream_SOURCES = unit/test_serve_stream.c
test_serve_stream_CPPFLAGS = $(SERVE_CPPFLAGS) $(MHD_CFLAGS)
test_serve_stream_LDADD = $(SERVE_LDADD)
test_serve_fmt_SOURCES = unit/test_serve_fmt.c
test_serve_fmt_CPPFLAGS = $(SERVE_CPPFLAGS)
test_serve_fmt_LDADD = $(SERVE_LDADD)
endif
TESTS += e2e/serve.sh e2e/web.sh
EXTRA_DIST += e2e/serve.sh e2e/serve_lib.sh e2e/web.sh web/cdp.mjs \
	web/investigate.mjs web/keyed.mjs
