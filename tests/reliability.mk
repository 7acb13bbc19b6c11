# Reliability and security: faults, hostile input, authenticated
# ingest and privacy, end to end with the real resolver, module, indexer
# and CLI. Long versions and measured figures: bench/faults/, RELIABILITY.md.
# tools/rel_rogue is a hostile nng client (lying lengths, size limits, names
# at their limits, RRsets over 64 KiB, TLS with or without a certificate).
REL_E2E = e2e/rel_hostile.sh e2e/rel_damaged.sh e2e/rel_crash.sh \
	e2e/rel_space.sh
EXTRA_DIST += $(REL_E2E) e2e/rel_lib.sh
TESTS += $(REL_E2E)
if BUILD_MODULE
REL_E2E_MODULE = e2e/rel_privacy.sh e2e/rel_auth.sh e2e/rel_resolver.sh \
	e2e/rel_loss.sh e2e/rel_reload.sh e2e/rel_reload_stop.sh
EXTRA_DIST += $(REL_E2E_MODULE)
TESTS += $(REL_E2E_MODULE)
endif
