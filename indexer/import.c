/**
 * \file import.c
 * `rearviewd --import FILE`: NDJSON in COF or DNSDB style into the store,
 * with the same merge rules as live data. Bad lines are counted and
 * reported with their line numbers, never fatal.
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "flush.h"
#include "import.h"
#include "import_mark.h"
#include "log.h"
#include "rv_be.h"
#include "rv_err.h"
#include "rv_name.h"
#include "rv_rdata.h"
#include "rv_time.h"
#include "rvd.h"

#define MAX_REPORTED 50

static int
get_time(json_t *o, const char *k, int64_t *out)
{
	json_t *v = json_object_get(o, k);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > UINT32_MAX)
		return -1;
	*out = json_integer_value(v);
	return 1;
}

/* Append one rdata in presentation form to the rdata block. */
static int
add_rdata(uint16_t type, const char *s, uint8_t *blk, size_t *used,
    uint16_t *n)
{
	size_t len;
	int rc;

	if (*used + 2 >= 65536 || *n == UINT16_MAX)
		return RV_ETOOBIG;
	len = 65536 - *used - 2;
	if (len > 65535)
		len = 65535;
	if ((rc = rv_rdata_from_str(type, s, blk + *used + 2, &len)) != RV_OK)
		return rc;
	blk[*used] = (uint8_t)(len >> 8);
	blk[*used + 1] = (uint8_t)len;
	*used += 2 + len;
	(*n)++;
	return RV_OK;
}

/* Names in DNS are octets; a Unicode name typed into a file would be
 * stored as raw UTF-8 that no query (which converts to A-labels) ever
 * finds, so it is refused with what to do instead. */
static int
ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

int
rvd_import_line(struct rvd_import_ctx *ctx, const char *line, size_t len,
    char *err, size_t errsz)
{
	json_error_t jerr;
	json_t *o = NULL, *v, *rd;
	uint8_t owner[RV_NAME_MAX], zone[RV_NAME_MAX];
	size_t olen, zlen = 1, used = 0, setlen;
	uint16_t type, n = 0, cn;
	int64_t first, last, count = 1, tf = -1, tl = -1, zf = -1, zl = -1;
	uint16_t sid = ctx->default_sensor;
	int rc = RV_EINVAL;

	zone[0] = 0;
	err[0] = 0;
	if (!(o = json_loadb(line, len, 0, &jerr)) || !json_is_object(o)) {
		snprintf(err, errsz, "not a JSON object%s%s", o ? "" : ": ",
		    o ? "" : jerr.text);
		rc = RV_EFORMAT;
		goto leave;
	}
	/* DNSDB's SAF lines (and `rearview -o dnsdb`): the record is the
	 * "obj" member; {"cond":...} lines only frame a result set. */
	if (json_is_object(json_object_get(o, "obj"))) {
		json_t *obj = json_incref(json_object_get(o, "obj"));
		json_decref(o);
		o = obj;
	} else if (json_object_get(o, "cond") != NULL &&
	    json_object_get(o, "rrname") == NULL) {
		rc = RV_ENOENT;		/* nothing to import, not an error */
		goto leave;
	}
	v = json_object_get(o, "rrname");
	if (!json_is_string(v)) {
		snprintf(err, errsz, "missing rrname");
		goto leave;
	}
	if (!ascii(json_string_value(v))) {
		snprintf(err, errsz, "rrname is not in A-labels (convert "
		    "Unicode names to xn-- form)");
		goto leave;
	}
	if (rv_name_from_str(json_string_value(v), owner, &olen) != RV_OK) {
		snprintf(err, errsz, "bad rrname");
		goto leave;
	}
	v = json_object_get(o, "rrtype");
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= 65535) {
		type = (uint16_t)json_integer_value(v);
	} else if (!json_is_string(v) ||
	    rv_type_from_str(json_string_value(v), &type) != RV_OK) {
		snprintf(err, errsz, "missing or bad rrtype");
		goto leave;
	}
	if (get_time(o, "time_first", &tf) < 0 ||
	    get_time(o, "time_last", &tl) < 0 ||
	    get_time(o, "zone_time_first", &zf) < 0 ||
	    get_time(o, "zone_time_last", &zl) < 0) {
		snprintf(err, errsz, "a time is not epoch seconds");
		goto leave;
	}
	first = tf >= 0 ? tf : zf;
	last = tl >= 0 ? tl : zl;
	if (first < 0)
		first = last;
	if (last < 0)
		last = first;
	if (first < 0 || first > last) {
		snprintf(err, errsz, "missing or inconsistent time_first/"
		    "time_last");
		goto leave;
	}
	if ((v = json_object_get(o, "count"))) {
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			snprintf(err, errsz, "bad count");
			goto leave;
		}
		count = json_integer_value(v);
		if (count > UINT32_MAX)
			count = UINT32_MAX;
	}
	v = json_object_get(o, "bailiwick");
	if (v && (!json_is_string(v) || !ascii(json_string_value(v)) ||
	    rv_name_from_str(json_string_value(v), zone, &zlen) != RV_OK)) {
		snprintf(err, errsz, "bad bailiwick");
		goto leave;
	}
	v = json_object_get(o, "sensor_id");
	if (v && ctx->sens) {
		const char *s = json_is_string(v) ? json_string_value(v) : NULL;
		if (!s || !*s || strlen(s) > RV_SENSOR_MAX) {
			snprintf(err, errsz, "bad sensor_id");
			goto leave;
		}
		if ((rc = rvd_sensors_id(ctx->sens, ctx->st, s, strlen(s),
		    &sid)) != RV_OK) {
			snprintf(err, errsz, "sensor: %s", rv_strerror(rc));
			goto leave;
		}
		rc = RV_EINVAL;
	} else if (ctx->sens && ctx->default_name) {
		/* The default sensor gets its id when a record needs it, so a
		 * file whose every line names its sensor adds no empty one. */
		if ((rc = rvd_sensors_id(ctx->sens, ctx->st, ctx->default_name,
		    strlen(ctx->default_name), &sid)) != RV_OK) {
			snprintf(err, errsz, "sensor: %s", rv_strerror(rc));
			goto leave;
		}
		rc = RV_EINVAL;
	}
	rd = json_object_get(o, "rdata");
	if (json_is_string(rd)) {
		rc = add_rdata(type, json_string_value(rd), ctx->buf, &used,
		    &n);
	} else if (json_is_array(rd) && json_array_size(rd) > 0) {
		size_t i;
		json_array_foreach(rd, i, v) {
			rc = json_is_string(v) ? add_rdata(type,
			    json_string_value(v), ctx->buf, &used, &n) :
			    RV_EINVAL;
			if (rc != RV_OK)
				break;
		}
	} else {
		snprintf(err, errsz, "missing rdata");
		goto leave;
	}
	if (rc != RV_OK) {
		snprintf(err, errsz, "rdata is not valid for the type");
		goto leave;
	}
	if ((rc = rv_set_canon(type, ctx->buf, used, n, ctx->buf + 65536,
	    65536, &setlen, &cn)) != RV_OK) {
		snprintf(err, errsz, "rdata: %s", rv_strerror(rc));
		goto leave;
	}
	rc = rvd_agg_add(ctx->agg, RV_REC_RRSET, owner, olen, type, 0, zone,
	    zlen, ctx->buf + 65536, setlen, cn, (uint32_t)first, (uint32_t)last,
	    (uint32_t)count, UINT32_MAX, sid);
	if (rc != RV_OK)
		snprintf(err, errsz, "%s", rv_strerror(rc));
leave:
	json_decref(o);
	return rc;
}

/* Flush the table, retrying on a full disk. */
static int
import_flush(struct rv_store *st, struct rvd_agg *a, struct rvd_enrich *en)
{
	struct rvd_flush_result res;
	int rc;

	for (int tries = 0; tries < 30; tries++) {
		if ((rc = rvd_flush_write(st, a, en, (uint32_t)time(NULL),
		    &res)) == RV_OK)
			break;
		rvd_log(LOG_ERR, "import flush failed: %s%s; retrying",
		    rv_strerror(rc), rc == RV_ENOSPC ? " (disk full)" : "");
		if (rc != RV_ENOSPC && rc != RV_EIO)
			break;
		sleep(1);
	}
	rvd_agg_reset(a);
	return rc;
}

/* A database written before the names index held target names gets them
 * first, all at once (SCHEMA.md): `--import /dev/null` upgrades one. */
static int
backfill(struct rv_store *st)
{
	struct rv_names_backfill res;
	size_t rows = 0, names = 0;
	int rc;

	do {
		rc = rv_store_names_backfill(st, 100000, (uint32_t)time(NULL),
		    &res);
		rows += res.rows;
		names += res.names;
	} while (rc == RV_OK && !res.done);
	if (rc != RV_OK)
		rvd_log(LOG_ERR, "adding target names to the names index: %s",
		    rv_strerror(rc));
	else if (rows > 0)
		rvd_log(LOG_INFO, "target names added to the names index: %zu "
		    "reverse rows read, %zu names rows written", rows, names);
	return rc;
}

int
rvd_import(struct rvd_config *cfg, struct rv_store *st)
{
	struct rvd_agg a = { 0 };
	struct rvd_sensors sens;
	struct rvd_import_ctx ctx = { .agg = &a, .sens = &sens, .st = st };
	struct rvd_enrich *en = NULL;
	FILE *f = NULL;
	char *line = NULL, err[256], namebuf[4096];
	size_t cap = 0, lineno = 0, good = 0, bad = 0;
	ssize_t n;
	off_t total = 0, done = 0;
	struct stat sb;
	uint8_t fp[RV_IMPORT_FP_LEN];
	int have_fp = 0;
	const char *sensor;
	int progress = cfg->progress, status = 1, rc;
	time_t last_prog = 0;

	rvd_sensors_init(&sens);
	if (strcmp(cfg->import, "-") == 0) {
		f = stdin;
	} else if (!(f = fopen(cfg->import, "r"))) {
		rvd_log(LOG_ERR, "%s: %s", cfg->import, strerror(errno));
		goto leave;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		rvd_log(LOG_ERR, "%s: is a directory; give a file of JSON "
		    "lines", cfg->import);
		goto leave;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
		total = sb.st_size;
	/* A file is fingerprinted first: importing the same export twice
	 * must not double its counts (standard input cannot be read twice,
	 * so it is not). */
	if (total > 0) {
		if (rvd_import_fingerprint(f, fp) != 0) {
			rvd_log(LOG_ERR, "%s: %s", cfg->import, strerror(errno));
			goto leave;
		}
		have_fp = 1;
		if (!cfg->reimport && rvd_import_taken_before(st, cfg->import,
		    fp)) {
			status = 0;
			goto leave;
		}
	}
	if (progress < 0)
		progress = isatty(STDERR_FILENO);
	snprintf(namebuf, sizeof(namebuf), "%s", cfg->import);
	sensor = cfg->sensor ? cfg->sensor : strcmp(cfg->import, "-") ?
	    basename(namebuf) : "import";
	if (*sensor == '\0' || strlen(sensor) > RV_SENSOR_MAX) {
		rvd_log(LOG_ERR, "sensor '%s': bad name (1 to %d octets)",
		    sensor, RV_SENSOR_MAX);
		goto leave;
	}
	ctx.default_name = sensor;
	if (backfill(st) != RV_OK)
		goto leave;
	if ((rc = rvd_enrich_open(&cfg->mmdb, &en)) != RV_OK ||
	    rvd_agg_init(&a) != RV_OK || !(ctx.buf = malloc(RVD_IMPORT_BUF_SIZE)))
		goto leave;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		done += n;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		if ((rc = rvd_import_line(&ctx, line, (size_t)n, err,
		    sizeof(err))) == RV_ENOENT)
			continue;	/* a SAF {"cond":...} line */
		if (rc != RV_OK) {
			if (bad++ < MAX_REPORTED)
				rvd_log(LOG_WARNING, "%s:%zu: %s", cfg->import,
				    lineno, err);
			a.records_rejected++;
			continue;
		}
		good++;
		if (a.n >= cfg->flush_max &&
		    import_flush(st, &a, en) != RV_OK)
			goto leave;
		if (progress && time(NULL) != last_prog) {
			last_prog = time(NULL);
			if (total)
				fprintf(stderr, "\r%s: %zu lines, %.0f%%  ",
				    cfg->import, lineno, 100.0 * done / total);
			else
				fprintf(stderr, "\r%s: %zu lines  ",
				    cfg->import, lineno);
		}
	}
	if (import_flush(st, &a, en) != RV_OK)
		goto leave;
	if (progress)
		fprintf(stderr, "\n");
	if (bad > MAX_REPORTED)
		rvd_log(LOG_WARNING, "%zu more bad lines not shown",
		    bad - MAX_REPORTED);
	rvd_log(LOG_INFO, "imported %s: %zu records, %zu bad lines of %zu",
	    cfg->import, good, bad, lineno);
	/* Input that had records but none of them usable is a failure, not
	 * an empty success (a wrong file, a format this is not). */
	if (good == 0 && bad > 0) {
		rvd_log(LOG_ERR, "%s: every record line was rejected; nothing "
		    "imported", cfg->import);
		goto leave;
	}
	if (have_fp && rvd_import_mark(st, cfg->import, fp, good) != RV_OK)
		goto leave;
	status = 0;
leave:
	if (f && f != stdin)
		fclose(f);
	free(line);
	free(ctx.buf);
	rvd_agg_destroy(&a);
	rvd_enrich_close(en);
	rvd_sensors_free(&sens);
	return status;
}
