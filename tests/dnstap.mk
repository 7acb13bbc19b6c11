# rearviewd's dnstap input (issue #20): the decoder on messages encoded
# with protobuf-c, the Frame Streams server over real sockets.
if HAVE_CMOCKA
check_PROGRAMS += test_dnstap
TESTS += test_dnstap
test_dnstap_SOURCES = unit/test_dnstap.c
test_dnstap_CPPFLAGS = -I$(top_srcdir)/lib -I$(top_srcdir)/store \
	-I$(top_srcdir)/indexer -I$(top_builddir)/indexer
test_dnstap_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
test_dnstap_LDADD = $(top_builddir)/indexer/librvd.la $(RV_LIB) \
	$(LMDB_LIBS) $(MAXMINDDB_LIBS) $(JANSSON_LIBS) $(PROTOBUF_C_LIBS) \
	$(PTHREAD_LIBS) -lm $(CMOCKA_LIBS)
endif
# End to end: the project's Unbound without the module logging dnstap to
# rearviewd, compared with the module's records for the same queries
# (needs root, NSD and Unbound; it skips without).
# apparmor.sh: the local rules in contrib/apparmor against Debian's
# profiles of named and unbound (no kernel needed).
DNSTAP_E2E = e2e/dnstap.sh e2e/dnstap_resolvers.sh e2e/apparmor.sh
TESTS += $(DNSTAP_E2E)
EXTRA_DIST += $(DNSTAP_E2E) e2e/dnstap_lib.sh
