# Target names in the names database: right-hand wildcards over targets
# (`rdata name ns1.example.*`), the flag of databases that hold them and
# the backfill of older ones (store/rv_store_names.c). The rows through the
# real indexer are asserted by e2e/cli_import.sh.
if HAVE_CMOCKA
NAMES_TESTS = test_names_targets test_cli_rdata_fwd
check_PROGRAMS += $(NAMES_TESTS)
TESTS += $(NAMES_TESTS)
test_names_targets_SOURCES = unit/test_names_targets.c $(TMP_STORE)
test_names_targets_LDADD = $(RV_LIB) $(LMDB_LIBS) $(CMOCKA_LIBS)
test_cli_rdata_fwd_SOURCES = unit/test_cli_rdata_fwd.c \
	unit/test_cli_fixture.c unit/test_cli_fixture.h $(TMP_STORE)
test_cli_rdata_fwd_CPPFLAGS = -I$(top_srcdir)/lib -I$(top_srcdir)/store -I$(top_srcdir)/cli -I$(top_srcdir)/query \
	-I$(top_builddir)
test_cli_rdata_fwd_LDADD = $(top_builddir)/cli/librvcli.la $(RV_LIB) \
	$(CMOCKA_LIBS)
endif
