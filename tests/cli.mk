# The CLI's tests: cmocka units (options, fences, formats) and an
# in-process end-to-end run over a database written through the store API;
# tests/e2e/cli_import.sh goes through the real indexer's import.
if HAVE_CMOCKA
CLI_TESTS = test_cli_opts test_cli_format test_cli_query test_cli_geo \
	test_cli_geo_table test_query
check_PROGRAMS += $(CLI_TESTS)
TESTS += $(CLI_TESTS)
CLI_CPPFLAGS = -I$(top_srcdir)/lib -I$(top_srcdir)/store -I$(top_srcdir)/cli -I$(top_srcdir)/query -I$(top_builddir)
CLI_LDADD = $(top_builddir)/cli/librvcli.la $(RV_LIB) $(CMOCKA_LIBS)
test_cli_opts_SOURCES = unit/test_cli_opts.c
test_cli_opts_CPPFLAGS = $(CLI_CPPFLAGS)
test_cli_opts_LDADD = $(CLI_LDADD)
test_cli_format_SOURCES = unit/test_cli_format.c
test_cli_format_CPPFLAGS = $(CLI_CPPFLAGS)
test_cli_format_LDADD = $(CLI_LDADD)
test_cli_query_SOURCES = unit/test_cli_query.c unit/test_cli_fixture.c \
	unit/test_cli_fixture.h $(TMP_STORE)
test_cli_query_CPPFLAGS = $(CLI_CPPFLAGS)
test_cli_query_LDADD = $(CLI_LDADD)
test_cli_geo_SOURCES = unit/test_cli_geo.c unit/test_cli_fixture.c \
	unit/test_cli_fixture.h $(TMP_STORE)
test_cli_geo_CPPFLAGS = $(CLI_CPPFLAGS)
test_cli_geo_LDADD = $(CLI_LDADD)
# The engine called as a front end other than the CLI calls it.
test_query_SOURCES = unit/test_query.c unit/test_cli_fixture.c \
	unit/test_cli_fixture.h $(TMP_STORE)
test_query_CPPFLAGS = $(CLI_CPPFLAGS)
test_query_LDADD = $(CLI_LDADD) $(PTHREAD_LIBS)
test_cli_geo_table_SOURCES = unit/test_cli_geo_table.c $(TMP_STORE)
test_cli_geo_table_CPPFLAGS = $(CLI_CPPFLAGS)
test_cli_geo_table_LDADD = $(CLI_LDADD)
endif
TESTS += e2e/cli_import.sh
EXTRA_DIST += e2e/cli_import.sh
