# The DNS message parser and scrubber of lib/ (rv_msg.c, issue #20).
if HAVE_CMOCKA
check_PROGRAMS += test_msg
TESTS += test_msg
test_msg_SOURCES = unit/test_msg.c
test_msg_LDADD = $(top_builddir)/lib/librvwire.la $(CMOCKA_LIBS)
endif
