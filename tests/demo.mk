# The live demo, run in its quick mode as an end-to-end test.
EXTRA_DIST += e2e/demo.sh
if BUILD_MODULE
TESTS += e2e/demo.sh
endif
