/**
 * \file text.c
 * Rows' parts as text (rvq_text.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rv_rdata.h"
#include "rv_time.h"
#include "rvq_idn.h"
#include "rvq_text.h"

void
rvq_time_str(uint32_t t, int iso, char *out, size_t outsz)
{
	if (rv_time_format(t, iso, out, outsz) != RV_OK)
		snprintf(out, outsz, "%u", t);
}

int
rvq_name_str(const uint8_t *wire, size_t len, int idn, char *out,
    size_t outsz)
{
	char u[RV_NAME_STR_MAX * 2];
	int rc = rv_name_to_str(wire, len, out, outsz);

	if (rc != RV_OK) {
		snprintf(out, outsz, "(bad name)");
		return rc;
	}
	if (idn && rvq_idn_unicode(out, u, sizeof(u))) {
		size_t n = strlen(out);
		if (n + strlen(u) + 4 <= outsz)
			snprintf(out + n, outsz - n, " (%s)", u);
	}
	return RV_OK;
}

/* Type names, made once each: printing one is an snprintf otherwise,
 * a tenth of a row's cost. Several threads may ask at once. */
static char **type_names;
static pthread_once_t type_names_once = PTHREAD_ONCE_INIT;

static void
type_names_alloc(void)
{
	__atomic_store_n(&type_names, calloc(65536, sizeof(*type_names)),
	    __ATOMIC_RELEASE);
}

const char *
rvq_type_str(uint16_t type)
{
	static __thread char buf[RV_TYPE_STR_MAX];	/* memory short */
	char **names = __atomic_load_n(&type_names, __ATOMIC_ACQUIRE);
	char *s, *none = NULL;

	if (names == NULL) {	/* the first call, or memory short */
		pthread_once(&type_names_once, type_names_alloc);
		if ((names = __atomic_load_n(&type_names, __ATOMIC_ACQUIRE)) ==
		    NULL)
			return rv_type_to_str(type, buf);
	}
	if ((s = __atomic_load_n(&names[type], __ATOMIC_ACQUIRE)) != NULL)
		return s;
	if ((s = strdup(rv_type_to_str(type, buf))) == NULL)
		return buf;
	if (!__atomic_compare_exchange_n(&names[type], &none, s, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		free(s);	/* another thread made it first */
		return none;
	}
	return s;
}

/* Types whose rdata is exactly one domain name (RFC 1035 and 6672). */
static int
name_only(uint16_t type)
{
	switch (type) {
	case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12:
	case 39:
		return 1;
	default:
		return 0;
	}
}

static int
rd_is_ip(const struct rvq_row *r, uint16_t len)
{
	return !r->rd_is_name && ((r->type == 1 && len == 4) ||
	    (r->type == 28 && len == 16));
}

int
rvq_rdata_str(const struct rvq_row *r, const uint8_t *rd, uint16_t len,
    int idn, char *out, size_t outsz)
{
	int rc;

	if (rd_is_ip(r, len)) {
		if (outsz < RV_IP_STR_MAX)
			return RV_ETOOBIG;
		if (len == 4)
			rv_ip4_text(rd, out);
		else
			rv_ip6_text(rd, out);
		return RV_OK;
	}
	if (r->rd_is_name)
		return rvq_name_str(rd, len, idn, out, outsz);
	/* one name: the name printer, no need for ldns' generic one */
	if (name_only(r->type) && rv_name_to_str(rd, len, out, outsz) == RV_OK)
		return RV_OK;
	rc = rv_rdata_to_str(r->type, rd, len, out, outsz);
	if (rc == RV_ETOOBIG && outsz > 32)	/* absurdly long: say so */
		snprintf(out, outsz, "\\# %u (too long to print)", len);
	return rc == RV_ETOOBIG ? RV_OK : rc;
}

const char *
rvq_rcode_str(uint8_t rcode, char *buf)
{
	switch (rcode) {
	case 0: return "NODATA";	/* NOERROR without an answer */
	case 2: return "SERVFAIL";
	case 3: return "NXDOMAIN";
	case 5: return "REFUSED";
	default:
		snprintf(buf, RVQ_RCODE_STR_MAX, "RCODE%u", rcode);
		return buf;
	}
}

int
rvq_rdata_ip(const struct rvq_row *r, const uint8_t *rd, uint16_t len,
    struct rv_ip *ip)
{
	if (!rd_is_ip(r, len))
		return 0;
	memset(ip, 0, sizeof(*ip));
	ip->family = len == 4 ? 4 : 6;
	memcpy(ip->addr, rd, len);
	return 1;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
rvq_sensors_str(const struct rvq_row *r, rvq_sensor_fn fn, void *arg,
    char *out, size_t outsz)
{
	const char *name[RV_SENSORS_MAX];
	char ids[RV_SENSORS_MAX][8];
	unsigned ns = 0;
	size_t n = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < r->nsens && i < RV_SENSORS_MAX && fn != NULL;
	    i++) {
		if ((name[ns] = fn(arg, r->sensors[i])) == NULL) {
			snprintf(ids[i], sizeof(ids[i]), "#%u", r->sensors[i]);
			name[ns] = ids[i];
		}
		ns++;
	}
	/* By name: ids are one database's own (a ClickHouse backend's
	 * differ), names are what the sites call their sensors. */
	qsort(name, ns, sizeof(name[0]), by_name);
	for (unsigned i = 0; i < ns; i++) {
		size_t sl = strlen(name[i]);

		if (n + sl + 2 >= outsz)
			break;
		if (n > 0)
			out[n++] = ',';
		memcpy(out + n, name[i], sl + 1);
		n += sl;
	}
	if (n == 0 && outsz > 1)
		snprintf(out, outsz, "-");
}

const char *
rvq_bailiwick_str(struct rvq_bw_memo *m, const struct rvq_row *r)
{
	if (r->zone_len != m->len || memcmp(r->zone, m->wire,
	    r->zone_len) != 0) {
		m->len = 0;
		if (rvq_name_str(r->zone, r->zone_len, 0, m->text,
		    sizeof(m->text)) == RV_OK && r->zone_len <= RV_NAME_MAX) {
			memcpy(m->wire, r->zone, r->zone_len);
			m->len = r->zone_len;
		}
	}
	return m->text;
}
