/**
 * \file fuzz_phish.c
 * libFuzzer target for the phishing engine's attacker-controlled inputs:
 * the watch-list file (query/phish_watch.c) and the names it judges
 * (query/phish_lex.c, phish_score.c: owner names from zone data, xn--
 * labels decoded to any Unicode and handed to ICU). The input is a watch
 * file, a line "--", then names, one a line, each judged with its last
 * two labels as its registered domain. Any input must load or be refused
 * with a line number, and every judgement must be a verdict with at most
 * RVQ_PHISH_REASONS_MAX reasons whose points add up to the score.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rv_err.h"
#include "rvq_phish.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
judge(const struct rvq_phish *ph, const char *name)
{
	struct rvq_phish_in in;
	struct rvq_phish_out o;
	const char *reg = name + strlen(name);
	double sum = 0;
	int dots = 0;

	/* The registered domain: the last two labels (or the name). */
	while (reg > name && !(reg[-1] == '.' && ++dots == 2))
		reg--;
	memset(&in, 0, sizeof(in));
	in.name = name;
	in.regdom = reg;
	in.is_new = name[0] & 1;
	in.ttl_min = (uint32_t)strlen(name) * 7;
	in.shared_flagged = (unsigned)(name[0] & 3);
	if (rvq_phish_eval(ph, &in, &o) != RV_OK)
		return;
	if (o.verdict < RVQ_VERDICT_NONE || o.verdict > RVQ_VERDICT_BLOCK ||
	    o.n > RVQ_PHISH_REASONS_MAX || !isfinite(o.score))
		abort();
	for (unsigned i = 0; i < o.n; i++) {
		if (memchr(o.r[i].detail, '\0', sizeof(o.r[i].detail)) == NULL)
			abort();
		sum += o.r[i].points;
	}
	if (fabs(sum - o.score) > 1e-6 * (1 + fabs(sum)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	const uint8_t *sep = NULL;
	struct rvq_watch *w;
	struct rvq_phish *ph = NULL;
	const char *why;
	unsigned line;
	FILE *fp;
	int rc;

	if (size > 16384)
		return 0;
	for (size_t i = 0; i + 3 <= size; i++)
		if (memcmp(data + i, "\n--", 3) == 0) {
			sep = data + i;
			break;
		}
	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/fuzz-phish-%d.conf",
		    (int)getpid());
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, sep ? (size_t)(sep - data) : size, fp);
	fclose(fp);
	if ((w = rvq_watch_new()) == NULL)
		return 0;
	rc = rvq_watch_load(w, path, &line, &why);
	if (rc != RV_OK && rc != RV_EINVAL && rc != RV_ENOMEM)
		abort();
	if (rc == RV_EINVAL && (line == 0 || why == NULL))
		abort();
	if (rc == RV_OK && (ph = rvq_phish_new(w, NULL, &rc)) != NULL &&
	    sep != NULL) {
		char name[300];
		const uint8_t *p = sep + 3, *end = data + size;
		while (p < end) {
			const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = (size_t)((nl ? nl : end) - p);
			if (n > 0 && n < sizeof(name) &&
			    memchr(p, '\0', n) == NULL) {
				memcpy(name, p, n);
				name[n] = '\0';
				judge(ph, name);
			}
			p += n + 1;
		}
	}
	rvq_phish_free(ph);
	rvq_watch_free(w);
	return 0;
}
