# Tests of `rearview report`: the engine's pure feature code (cmocka,
# linked like any caller) and end-to-end reports over a real database.
if HAVE_CMOCKA
REPORT_TESTS = test_report_feat test_phish
check_PROGRAMS += $(REPORT_TESTS)
TESTS += $(REPORT_TESTS)
test_report_feat_SOURCES = unit/test_report_feat.c
test_report_feat_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/query
test_report_feat_LDADD = $(top_builddir)/query/librvquery.la $(RV_LIB) \
	$(CMOCKA_LIBS) -lm
# The phishing engine (rvq_phish.h): lookalikes, embedded brands,
# keywords, scoring, the watch file.
test_phish_SOURCES = unit/test_phish.c
test_phish_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/query
test_phish_LDADD = $(top_builddir)/query/librvquery.la $(RV_LIB) \
	$(CMOCKA_LIBS) -lm
endif
# report_dns.sh and rpz.sh need root, NSD, the module and Unbound (they
# skip without).
REPORT_E2E = e2e/report_import.sh e2e/report_dns.sh e2e/phishing_import.sh \
	e2e/rpz.sh
TESTS += $(REPORT_E2E)
EXTRA_DIST += $(REPORT_E2E)
