/**
 * \file import_dnstap.c
 * `rearviewd --import FILE` of a dnstap capture (a Frame Streams file, as
 * fstrm_capture, BIND's `dnstap-output file` or Unbound's dnstap writes
 * it): START with content type protobuf:dnstap.Dnstap, data frames,
 * STOP. Each resolver response becomes the records the live dnstap input
 * makes (dnstap_records.h), into a table of the import's own, flushed as
 * the NDJSON import flushes; client-side messages are dropped and counted.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dnstap_records.h"
#include "flush.h"
#include "fstrm_server.h"
#include "import_dnstap.h"
#include "import_mark.h"
#include "log.h"
#include "rv_be.h"
#include "rv_err.h"
#include "sensors.h"

int
rvd_import_is_dnstap(FILE *f)
{
	uint8_t b[4];
	size_t n = fread(b, 1, sizeof(b), f);
	int yes = n == 4 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0;

	rewind(f);
	return yes;
}

/* Read exactly n octets. \return 0, 1 at a clean end, -1 cut short. */
static int
get(FILE *f, uint8_t *p, size_t n)
{
	size_t got = fread(p, 1, n, f);

	return got == n ? 0 : got == 0 ? 1 : -1;
}

/* The START frame's content type must be dnstap's (or absent). */
static int
start_ok(const uint8_t *c, size_t n)
{
	size_t off = 4;

	if (n < 4 || rv_get32(c) != RVD_FSTRM_START)
		return 0;
	while (off + 8 <= n) {
		uint32_t type = rv_get32(c + off), len = rv_get32(c + off + 4);
		off += 8;
		if (len > n - off)
			return 0;
		if (type == RVD_FSTRM_FIELD_CONTENT_TYPE)
			return len == strlen(RVD_DNSTAP_CONTENT_TYPE) &&
			    memcmp(c + off, RVD_DNSTAP_CONTENT_TYPE, len) == 0;
		off += len;
	}
	return 1;
}

static int
flush(struct rv_store *st, struct rvd_agg *a, struct rvd_enrich *en)
{
	struct rvd_flush_result res;
	int rc = rvd_flush_write(st, a, en, (uint32_t)time(NULL), &res);

	if (rc != RV_OK)
		rvd_log(LOG_ERR, "import flush failed: %s", rv_strerror(rc));
	rvd_agg_reset(a);
	return rc;
}

int
rvd_import_dnstap(struct rvd_config *cfg, struct rv_store *st, FILE *f)
{
	struct rvd_agg a = { 0 };
	struct rvd_sensors sens;
	struct rvd_dnstap_dec dec;
	struct rvd_dnstap_rec *rec = NULL;
	struct rvd_enrich *en = NULL;
	uint8_t *buf = NULL, hdr[4], fp[RV_IMPORT_FP_LEN];
	char namebuf[4096];
	const char *fname;
	uint64_t frames = 0, responses = 0, bad = 0;
	int status = 1, rc, started = 0;

	rvd_sensors_init(&sens);
	memset(&dec, 0, sizeof(dec));
	/* The same capture twice must not double its counts. */
	if (rvd_import_fingerprint(f, fp) != 0) {
		rvd_log(LOG_ERR, "%s: %s", cfg->import, strerror(errno));
		goto leave;
	}
	if (!cfg->reimport && rvd_import_taken_before(st, cfg->import, fp)) {
		status = 0;
		goto leave;
	}
	snprintf(namebuf, sizeof(namebuf), "%s", cfg->import);
	fname = basename(namebuf);
	if ((rc = rvd_dnstap_dec_init(&dec, RVD_FSTRM_FRAME_MAX)) != RV_OK ||
	    (rc = rvd_dnstap_rec_new(NULL, &a, &rec)) != RV_OK ||
	    (rc = rvd_enrich_open(&cfg->mmdb, &en)) != RV_OK ||
	    (rc = rvd_agg_init(&a)) != RV_OK ||
	    (buf = malloc(RVD_FSTRM_FRAME_MAX)) == NULL) {
		rvd_log(LOG_ERR, "%s: %s", cfg->import,
		    rv_strerror(rc ? rc : RV_ENOMEM));
		goto leave;
	}
	for (;;) {
		uint32_t len;
		int g = get(f, hdr, 4);

		if (g != 0) {
			if (g < 0 || started)
				rvd_log(LOG_WARNING, "%s: the capture ends %s",
				    cfg->import, g < 0 ? "in the middle of a "
				    "frame" : "without STOP");
			break;
		}
		len = rv_get32(hdr);
		if (len == 0) {			/* a control frame */
			if (get(f, hdr, 4) != 0 || (len = rv_get32(hdr)) <
			    4 || len > 512 || get(f, buf, len) != 0) {
				rvd_log(LOG_ERR, "%s: a damaged control frame",
				    cfg->import);
				goto leave;
			}
			if (rv_get32(buf) == RVD_FSTRM_STOP)
				break;
			if (!started && !start_ok(buf, len)) {
				rvd_log(LOG_ERR, "%s: not a dnstap capture "
				    "(its content type is another)",
				    cfg->import);
				goto leave;
			}
			started = 1;
			continue;
		}
		if (!started || len > RVD_FSTRM_FRAME_MAX ||
		    get(f, buf, len) != 0) {
			rvd_log(LOG_ERR, "%s: frame %llu: %s", cfg->import,
			    (unsigned long long)frames + 1, !started ?
			    "data before START" : "too long or cut short");
			goto leave;
		}
		frames++;
		{
			struct rvd_dnstap_msg m;
			struct rv_msg_src src;
			const char *sensor;
			size_t slen;
			uint16_t sid;
			int drc = rvd_dnstap_decode(&dec, buf, len, &m);

			/* A frame without an identity counts for the file. */
			slen = rvd_dnstap_sensor(cfg->dnstap_sensor, &m, fname,
			    &sensor);
			if ((rc = rvd_sensors_id(&sens, st, sensor, slen,
			    &sid)) != RV_OK) {
				bad++;
				continue;
			}
			if (drc != RV_OK) {
				bad += drc != RV_ENOENT;  /* ENOENT: dropped */
				rc = rvd_agg_sensor_dt(&a, sid,
				    rvd_dnstap_not_kept(drc, &m), 1);
			} else if ((drc = rvd_dnstap_prepare(rec, &m, sensor,
			    slen, &src)) != RV_OK) {
				bad += drc != RV_EEXIST;
				rc = rvd_agg_sensor_dt(&a, sid, drc ==
				    RV_EEXIST ? RV_DT_RETRIES : RV_DT_MALFORMED,
				    1);
			} else {
				rc = rvd_dnstap_emit(rec, sid, &src);
				responses++;
			}
			if (rc == RV_ENOMEM) {
				rvd_log(LOG_ERR, "%s: %s", cfg->import,
				    rv_strerror(rc));
				goto leave;
			}
		}
		if (a.n >= cfg->flush_max && flush(st, &a, en) != RV_OK)
			goto leave;
	}
	if (rvd_dnstap_flush(rec) != RV_OK || flush(st, &a, en) != RV_OK)
		goto leave;
	rvd_log(LOG_INFO, "imported %s (dnstap): %llu frames, %llu resolver "
	    "responses, %llu records, %llu client-side messages dropped, "
	    "%llu other messages dropped, %llu bad frames, %llu retries "
	    "counted once", cfg->import, (unsigned long long)frames,
	    (unsigned long long)responses,
	    (unsigned long long)rvd_dnstap_rec_stats(rec)->records,
	    (unsigned long long)dec.st.client,
	    (unsigned long long)(dec.st.dropped - dec.st.client),
	    (unsigned long long)bad,
	    (unsigned long long)rvd_dnstap_rec_stats(rec)->retries);
	if (responses == 0 && bad > 0) {
		rvd_log(LOG_ERR, "%s: no usable resolver response", cfg->import);
		goto leave;
	}
	if (rvd_import_mark(st, cfg->import, fp,
	    rvd_dnstap_rec_stats(rec)->records) != RV_OK)
		goto leave;
	status = 0;
leave:
	free(buf);
	rvd_agg_destroy(&a);
	rvd_enrich_close(en);
	rvd_sensors_free(&sens);
	rvd_dnstap_rec_free(rec);
	rvd_dnstap_dec_free(&dec);
	return status;
}
