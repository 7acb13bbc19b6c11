/**
 * \file conf.c
 * Parser for the module's configuration file (see conf.h).
 */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rv_err.h"
#include "rv_rdata.h"

#define LINE_MAX_LEN 4096

/* Limits that keep one bad number from exhausting the resolver's memory. */
#define QUEUE_MIN ((size_t)64 << 10)
#define QUEUE_MAX ((size_t)1 << 30)
#define FRAME_MIN ((size_t)64 << 10)
#define FRAME_MAX ((size_t)RV_FRAME_MAX_DEFAULT)

/* Parser state: where we are, for error messages. */
struct pstate {
	const char *path;
	unsigned line;
	char *err;
	size_t errsz;
	/* include-type / exclude-type are combined at the end so that their
	 * order in the file does not matter. */
	int have_include;
	uint8_t include[65536 / 8];
	uint8_t exclude[65536 / 8];
};

static int
fail(struct pstate *ps, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, ps->errsz, "%s:%u: ", ps->path, ps->line);

	if (n >= 0 && (size_t)n < ps->errsz) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return RV_EINVAL;
}

static void
set_bit(uint8_t *bits, uint16_t t)
{
	bits[t >> 3] |= (uint8_t)(1u << (t & 7));
}

static void
host_sensor(char *out, size_t outsz)
{
	char host[256];
	size_t j = 0;

	if (gethostname(host, sizeof(host)) != 0)
		host[0] = 0;
	host[sizeof(host) - 1] = 0;
	for (size_t i = 0; host[i] && j + 1 < outsz; i++)
		if (host[i] > 0x20 && host[i] < 0x7f)
			out[j++] = host[i];
	if (j == 0)
		j = (size_t)snprintf(out, outsz, "unknown");
	out[j] = 0;
}

int
rvm_conf_defaults(struct rvm_conf *c)
{
	int rc = RV_OK;

	memset(c, 0, sizeof(*c));
	c->enable = 1;
	c->queue_size = (size_t)4 << 20;
	c->batch_size = 512;
	c->frame_size = (size_t)1 << 20;
	c->batch_delay_ms = 200;
	c->send_timeout_ms = 1000;
	c->stats_interval_s = 300;
	memset(c->filter.types, 0xff, sizeof(c->filter.types));
	host_sensor(c->sensor, sizeof(c->sensor));
	if ((c->endpoints[0] = strdup(RVM_ENDPOINT_DEFAULT)) == NULL) {
		rc = RV_ENOMEM;
		goto leave;
	}
	c->nendpoints = 1;
leave:
	return rc;
}

void
rvm_conf_free(struct rvm_conf *c)
{
	for (size_t i = 0; i < c->nendpoints; i++)
		free(c->endpoints[i]);
	c->nendpoints = 0;
	free(c->stats_file);
	free(c->tls_ca_file);
	free(c->tls_cert_key_file);
	free(c->tls_server_name);
	free(c->filter.zones);
	c->stats_file = c->tls_ca_file = c->tls_cert_key_file = NULL;
	c->tls_server_name = NULL;
	c->filter.zones = NULL;
	c->filter.nzones = 0;
}

const char *
rvm_conf_path(void)
{
	const char *p = getenv(RVM_CONF_ENV);

	return p && *p ? p : RVM_CONF_DEFAULT;
}

int
rvm_conf_path_chosen(void)
{
	const char *p = getenv(RVM_CONF_ENV);

	return p != NULL && *p != '\0';
}

int
rvm_filter_excluded(const struct rvm_filter *f, const uint8_t *name,
    size_t len)
{
	for (size_t i = 0; i < f->nzones; i++)
		if (rv_name_is_subdomain(name, len, f->zones[i].name,
		    f->zones[i].len))
			return 1;
	return 0;
}

/* --- values ------------------------------------------------------------ */

/* A decimal number with an optional unit from \p units (each unit a
 * suffix and its multiplier). */
struct unit {
	const char *suffix;
	unsigned long long mult;
};

static int
parse_num(const char *s, const struct unit *units, unsigned long long min,
    unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v, m = 1;

	if (!isdigit((unsigned char)*s))
		return RV_EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return RV_ERANGE;
	if (units) {
		const struct unit *u;

		for (u = units; u->suffix; u++)
			if (strcasecmp(end, u->suffix) == 0)
				break;
		if (u->suffix)
			m = u->mult;
		else if (*end)
			return RV_EINVAL;
	} else if (*end) {
		return RV_EINVAL;
	}
	if (v > max / m || v * m < min || v * m > max)
		return RV_ERANGE;
	*out = v * m;
	return RV_OK;
}

static const struct unit size_units[] = {
	{ "k", 1ull << 10 }, { "m", 1ull << 20 }, { "g", 1ull << 30 },
	{ NULL, 0 }
};

/* Durations in milliseconds; a bare number is seconds (the "" unit). */
static const struct unit ms_units[] = {
	{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	{ NULL, 0 }
};

static int
parse_bool(const char *s, int *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "on") || !strcmp(s, "true") ||
	    !strcmp(s, "1"))
		*out = 1;
	else if (!strcmp(s, "no") || !strcmp(s, "off") ||
	    !strcmp(s, "false") || !strcmp(s, "0"))
		*out = 0;
	else
		return RV_EINVAL;
	return RV_OK;
}

static int
set_str(struct pstate *ps, char **dst, const char *v)
{
	char *d = strdup(v);

	if (!d)
		return fail(ps, "out of memory"), RV_ENOMEM;
	free(*dst);
	*dst = d;
	return RV_OK;
}

static int
num_opt(struct pstate *ps, const char *name, const char *v,
    const struct unit *units, unsigned long long min, unsigned long long max,
    unsigned long long *out)
{
	int rc = parse_num(v, units, min, max, out);

	if (rc == RV_ERANGE)
		return fail(ps, "%s: '%s' is out of range (%llu..%llu%s)", name,
		    v, min, max, units == ms_units ? " ms" : "");
	if (rc != RV_OK)
		return fail(ps, "%s: '%s' is not a %s", name, v,
		    units == ms_units ? "duration (250ms, 1s, 5m)" :
		    units == size_units ? "size (65536, 512k, 4m)" : "number");
	return RV_OK;
}

static int
type_opt(struct pstate *ps, const char *name, const char *v, uint8_t *bits)
{
	uint16_t t;

	if (rv_type_from_str(v, &t) != RV_OK)
		return fail(ps, "%s: unknown rrtype '%s'", name, v);
	set_bit(bits, t);
	return RV_OK;
}

static int
zone_opt(struct pstate *ps, struct rvm_conf *c, const char *v)
{
	struct rvm_zone *z;

	if (c->filter.nzones >= RVM_ZONES_MAX)
		return fail(ps, "exclude-zone: more than %d zones",
		    RVM_ZONES_MAX);
	z = realloc(c->filter.zones, (c->filter.nzones + 1) * sizeof(*z));
	if (!z)
		return fail(ps, "out of memory"), RV_ENOMEM;
	c->filter.zones = z;
	z += c->filter.nzones;
	if (rv_name_from_str(v, z->name, &z->len) != RV_OK)
		return fail(ps, "exclude-zone: '%s' is not a domain name", v);
	c->filter.nzones++;
	return RV_OK;
}

static int
sensor_opt(struct pstate *ps, struct rvm_conf *c, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > RV_SENSOR_MAX)
		return fail(ps, "sensor: '%s' must be 1 to %d characters", v,
		    RV_SENSOR_MAX);
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0x21 || v[i] > 0x7e)
			return fail(ps, "sensor: '%s' has a space or a "
			    "non-printable character", v);
	memcpy(c->sensor, v, n + 1);
	return RV_OK;
}

static int
endpoint_opt(struct pstate *ps, struct rvm_conf *c, int *first,
    const char *v)
{
	static const char *const schemes[] = { "ipc://", "tcp://", "tcp4://",
	    "tcp6://", "tls+tcp://", "tls+tcp4://", "tls+tcp6://",
	    "inproc://", NULL };
	size_t i;

	for (i = 0; schemes[i]; i++)
		if (!strncmp(v, schemes[i], strlen(schemes[i])) &&
		    v[strlen(schemes[i])])
			break;
	if (!schemes[i])
		return fail(ps, "endpoint: '%s' is not an ipc://, tcp:// or "
		    "tls+tcp:// URL", v);
	if (*first) {	/* the first endpoint line replaces the default */
		for (i = 0; i < c->nendpoints; i++)
			free(c->endpoints[i]);
		c->nendpoints = 0;
		*first = 0;
	}
	if (c->nendpoints >= RVM_ENDPOINTS_MAX)
		return fail(ps, "endpoint: more than %d endpoints",
		    RVM_ENDPOINTS_MAX);
	if ((c->endpoints[c->nendpoints] = strdup(v)) == NULL)
		return fail(ps, "out of memory"), RV_ENOMEM;
	c->nendpoints++;
	return RV_OK;
}

/* One `name: value` setting. */
static int
setting(struct pstate *ps, struct rvm_conf *c, int *first_ep,
    const char *name, const char *v)
{
	unsigned long long n;
	int rc;

	if (!strcmp(name, "enable")) {
		if (parse_bool(v, &c->enable) != RV_OK)
			return fail(ps, "enable: '%s' is not yes or no", v);
		return RV_OK;
	}
	if (!strcmp(name, "endpoint"))
		return endpoint_opt(ps, c, first_ep, v);
	if (!strcmp(name, "sensor"))
		return sensor_opt(ps, c, v);
	if (!strcmp(name, "queue-size")) {
		if ((rc = num_opt(ps, name, v, size_units, QUEUE_MIN, QUEUE_MAX,
		    &n)) == RV_OK)
			c->queue_size = (size_t)n;
		return rc;
	}
	if (!strcmp(name, "frame-size")) {
		if ((rc = num_opt(ps, name, v, size_units, FRAME_MIN, FRAME_MAX,
		    &n)) == RV_OK)
			c->frame_size = (size_t)n;
		return rc;
	}
	if (!strcmp(name, "batch-size")) {
		if ((rc = num_opt(ps, name, v, NULL, 1, 65536, &n)) == RV_OK)
			c->batch_size = (uint32_t)n;
		return rc;
	}
	if (!strcmp(name, "batch-delay")) {
		if ((rc = num_opt(ps, name, v, ms_units, 1, 1000, &n)) ==
		    RV_OK)
			c->batch_delay_ms = (uint32_t)n;
		return rc;
	}
	if (!strcmp(name, "send-timeout")) {
		if ((rc = num_opt(ps, name, v, ms_units, 0, 60000, &n)) ==
		    RV_OK)
			c->send_timeout_ms = (uint32_t)n;
		return rc;
	}
	if (!strcmp(name, "stats-interval")) {
		if ((rc = num_opt(ps, name, v, ms_units, 0, 86400000, &n)) ==
		    RV_OK) {
			if (n % 1000)
				return fail(ps, "stats-interval: '%s' is not "
				    "whole seconds", v);
			c->stats_interval_s = (uint32_t)(n / 1000);
		}
		return rc;
	}
	if (!strcmp(name, "stats-file"))
		return set_str(ps, &c->stats_file, v);
	if (!strcmp(name, "tls-ca-file"))
		return set_str(ps, &c->tls_ca_file, v);
	if (!strcmp(name, "tls-cert-key-file"))
		return set_str(ps, &c->tls_cert_key_file, v);
	if (!strcmp(name, "tls-server-name"))
		return set_str(ps, &c->tls_server_name, v);
	if (!strcmp(name, "exclude-zone"))
		return zone_opt(ps, c, v);
	if (!strcmp(name, "include-type")) {
		ps->have_include = 1;
		return type_opt(ps, name, v, ps->include);
	}
	if (!strcmp(name, "exclude-type"))
		return type_opt(ps, name, v, ps->exclude);
	return fail(ps, "unknown setting '%s'", name);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* Split one line into name and value; strips comments and quotes.
 * \return 1 for a setting, 0 for a blank line, RV_EINVAL. */
static int
split(struct pstate *ps, char *line, char **name, char **value)
{
	char *colon, *v, *hash;

	line = trim(line);
	if (*line == 0 || *line == '#')
		return 0;
	if ((colon = strchr(line, ':')) == NULL)
		return (void)fail(ps, "expected 'name: value', got '%s'", line), -1;
	*colon = 0;
	*name = trim(line);
	v = trim(colon + 1);
	if (*v == '"') {
		char *q = strchr(v + 1, '"');

		if (!q)
			return (void)fail(ps, "unterminated quote in '%s'", v), -1;
		*q = 0;
		if (*trim(q + 1) && *trim(q + 1) != '#')
			return (void)fail(ps, "text after the closing quote: '%s'",
			    trim(q + 1)), -1;
		v++;
	} else {
		if ((hash = strchr(v, '#')) != NULL)
			*hash = 0;
		v = trim(v);
	}
	if (**name == 0)
		return (void)fail(ps, "missing setting name before ':'"), -1;
	if (*v == 0)
		return (void)fail(ps, "%s: missing value", *name), -1;
	*value = v;
	return 1;
}

int
rvm_conf_load(struct rvm_conf *c, const char *path, char *err, size_t errsz)
{
	struct pstate *ps = NULL;
	char line[LINE_MAX_LEN];
	char *name, *value;
	int rc, first_ep = 1;
	FILE *f = NULL;

	if ((rc = rvm_conf_defaults(c)) != RV_OK) {
		snprintf(err, errsz, "%s: out of memory", path);
		goto leave;
	}
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			goto leave;	/* defaults */
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		rc = RV_EIO;
		goto leave;
	}
	if ((ps = calloc(1, sizeof(*ps))) == NULL) {
		snprintf(err, errsz, "%s: out of memory", path);
		rc = RV_ENOMEM;
		goto leave;
	}
	c->from_file = 1;
	ps->path = path;
	ps->err = err;
	ps->errsz = errsz;
	while (fgets(line, sizeof(line), f)) {
		ps->line++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = fail(ps, "line longer than %d characters",
			    LINE_MAX_LEN - 2);
			goto leave;
		}
		rc = split(ps, line, &name, &value);
		if (rc < 0) {
			rc = RV_EINVAL;
			goto leave;
		}
		if (rc > 0 && (rc = setting(ps, c, &first_ep, name, value)) !=
		    RV_OK)
			goto leave;
		rc = RV_OK;
	}
	if (ferror(f)) {
		snprintf(err, errsz, "%s: read error", path);
		rc = RV_EIO;
		goto leave;
	}
	if (c->tls_cert_key_file || c->tls_ca_file) {
		int tls = 0;

		for (size_t i = 0; i < c->nendpoints; i++)
			tls |= !strncmp(c->endpoints[i], "tls+", 4);
		if (!tls) {
			rc = fail(ps, "tls-ca-file or tls-cert-key-file set "
			    "but no tls+tcp:// endpoint");
			goto leave;
		}
	}
	if (ps->have_include)
		memcpy(c->filter.types, ps->include, sizeof(ps->include));
	for (size_t i = 0; i < sizeof(ps->exclude); i++)
		c->filter.types[i] &= (uint8_t)~ps->exclude[i];
leave:
	if (f)
		fclose(f);
	free(ps);
	if (rc != RV_OK) {
		/* Back to the defaults, capture off. */
		rvm_conf_free(c);
		if (rvm_conf_defaults(c) != RV_OK)
			rvm_conf_free(c);
		c->enable = 0;
	}
	return rc;
}
