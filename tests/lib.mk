# cmocka unit tests of lib/.
if HAVE_CMOCKA
LIB_TESTS = test_name test_ip test_time test_rdata test_rdata_text test_frame \
	test_conf
check_PROGRAMS += $(LIB_TESTS)
TESTS += $(LIB_TESTS)
test_name_SOURCES = unit/test_name.c
test_name_LDADD = $(RV_LIB) $(CMOCKA_LIBS)
test_ip_SOURCES = unit/test_ip.c
test_ip_LDADD = $(RV_LIB) $(CMOCKA_LIBS)
test_time_SOURCES = unit/test_time.c
test_time_LDADD = $(RV_LIB) $(CMOCKA_LIBS)
test_rdata_SOURCES = unit/test_rdata.c
test_rdata_LDADD = $(RV_LIB) $(CMOCKA_LIBS)
test_rdata_text_SOURCES = unit/test_rdata_text.c
test_rdata_text_LDADD = $(RV_LIB) $(CMOCKA_LIBS)
test_frame_SOURCES = unit/test_frame.c unit/frame_sample.c unit/frame_sample.h
test_frame_LDADD = $(RV_LIB) $(CMOCKA_LIBS)
test_conf_SOURCES = unit/test_conf.c
test_conf_LDADD = $(RV_LIB) $(CMOCKA_LIBS)
endif

# The seams between the parts (ARCHITECTURE.md): what the module links,
# where LMDB's types may appear.
TESTS += e2e/layout_check.sh e2e/install.sh
EXTRA_DIST += e2e/layout_check.sh e2e/install.sh
