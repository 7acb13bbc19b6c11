# Tests of the Unbound module: cmocka unit tests of capture.c,
# conf.c and queue.c (linked without Unbound), the end-to-end tests on a
# loopback DNS hierarchy with real NSD and Unbound, and their nng receiver.
# Built only when configure found an Unbound tree (--with-unbound-src).
EXTRA_DIST += e2e/harness.sh e2e/module_capture.sh e2e/module_noreceiver.sh \
	e2e/module_reload.sh e2e/module_badconf.sh
if BUILD_MODULE
MODULE_UNIT_CPPFLAGS = $(AM_CPPFLAGS) $(UNBOUND_CPPFLAGS) \
	-I$(top_srcdir)/module -DRV_UB_CONFIG_H='"$(UNBOUND_SRC)/config.h"'
MODULE_UNIT_LDADD = $(top_builddir)/module/librvmodule.la $(RV_LIB) \
	$(CMOCKA_LIBS)


if HAVE_CMOCKA
MODULE_UNIT_TESTS = test_module_capture test_module_conf test_module_queue \
	test_module_sender test_module_redial
check_PROGRAMS += $(MODULE_UNIT_TESTS)
TESTS += $(MODULE_UNIT_TESTS)
test_module_capture_SOURCES = unit/test_module_capture.c
test_module_capture_CPPFLAGS = $(MODULE_UNIT_CPPFLAGS)
test_module_capture_LDADD = $(MODULE_UNIT_LDADD)
test_module_conf_SOURCES = unit/test_module_conf.c
test_module_conf_CPPFLAGS = $(MODULE_UNIT_CPPFLAGS)
test_module_conf_LDADD = $(MODULE_UNIT_LDADD)
test_module_queue_SOURCES = unit/test_module_queue.c
test_module_queue_CPPFLAGS = $(MODULE_UNIT_CPPFLAGS)
test_module_queue_LDADD = $(MODULE_UNIT_LDADD) $(PTHREAD_LIBS)
# sender.c itself (it is not in librvmodule.la); the test's nng_close
# replaces libnng's.
test_module_sender_SOURCES = unit/test_module_sender.c \
	../module/sender.c
test_module_sender_CPPFLAGS = $(MODULE_UNIT_CPPFLAGS)
test_module_sender_LDADD = $(MODULE_UNIT_LDADD) $(NNG_LIBS) $(PTHREAD_LIBS)
# sender.c against a real nng listener; the test's sendmsg replaces libc's
# to make nng 1.5.2's dialer give up (see the test).
test_module_redial_SOURCES = unit/test_module_redial.c ../module/sender.c
test_module_redial_CPPFLAGS = $(MODULE_UNIT_CPPFLAGS)
test_module_redial_LDADD = $(MODULE_UNIT_LDADD) $(NNG_LIBS) $(PTHREAD_LIBS)
endif

TESTS += e2e/module_capture.sh e2e/module_noreceiver.sh \
	e2e/module_reload.sh e2e/module_badconf.sh
endif
