/**
 * \file rv_rdata_text.c
 * Presentation text of the common rdata types (MX, SRV, SOA, TXT, SPF)
 * without libldns. A scan prints a million rows a second; going through
 * ldns costs an ldns_rr, two buffers and a printf per octet for each one.
 * The output is ldns' (host2str.c), except that names are escaped as
 * rv_name_to_str does for owner names (also `"`, `@` and `$`), so that a
 * name reads the same in every column. Anything that does not parse
 * exactly is left to the ldns path (RV_ENOENT), which has the RFC 3597
 * fallback.
 */
#include "rv_rdata.h"

#include <string.h>

#include "rv_be.h"
#include "rv_err.h"
#include "rv_name.h"

struct text {
	char *out;
	size_t size, len;	/* len excludes the terminating NUL */
	int full;
};

static void
put(struct text *t, const char *s, size_t n)
{
	if (t->full || t->len + n + 1 > t->size) {
		t->full = 1;
		return;
	}
	memcpy(t->out + t->len, s, n);
	t->len += n;
	t->out[t->len] = '\0';
}

static void
put_u32(struct text *t, uint32_t v)
{
	char d[10];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	put(t, d + i, sizeof(d) - i);
}

static int
put_name(struct text *t, const uint8_t *rd, size_t len, size_t *off)
{
	char s[RV_NAME_STR_MAX];
	size_t nl;

	if (*off >= len || rv_name_wire_len(rd + *off, len - *off, &nl) !=
	    RV_OK || rv_name_to_str(rd + *off, nl, s, sizeof(s)) != RV_OK)
		return RV_EFORMAT;
	put(t, s, strlen(s));
	*off += nl;
	return RV_OK;
}

static int
put_u16_at(struct text *t, const uint8_t *rd, size_t len, size_t *off)
{
	if (*off + 2 > len)
		return RV_EFORMAT;
	put_u32(t, rv_get16(rd + *off));
	*off += 2;
	return RV_OK;
}

static int
put_u32_at(struct text *t, const uint8_t *rd, size_t len, size_t *off)
{
	if (*off + 4 > len)
		return RV_EFORMAT;
	put_u32(t, rv_get32(rd + *off));
	*off += 4;
	return RV_OK;
}

/* One <character-string>, quoted: ldns_characters2buffer_str in the C
 * locale (printable ASCII and tab as they are, `"` and `\` escaped, other
 * octets as \DDD). */
static int
put_charstr(struct text *t, const uint8_t *rd, size_t len, size_t *off)
{
	size_t n, i, run;

	if (*off >= len || *off + 1 + rd[*off] > len)
		return RV_EFORMAT;
	n = rd[*off];
	i = *off + 1;
	*off = i + n;
	put(t, "\"", 1);
	while (i < *off) {
		for (run = 0; i + run < *off; run++) {
			uint8_t c = rd[i + run];
			if ((c < 0x20 && c != '\t') || c > 0x7e || c == '"' ||
			    c == '\\')
				break;
		}
		put(t, (const char *)rd + i, run);
		if ((i += run) == *off)
			break;
		if (rd[i] == '"' || rd[i] == '\\') {
			char e[2] = { '\\', (char)rd[i] };
			put(t, e, 2);
		} else {
			char e[4] = { '\\', (char)('0' + rd[i] / 100),
			    (char)('0' + rd[i] / 10 % 10),
			    (char)('0' + rd[i] % 10) };
			put(t, e, 4);
		}
		i++;
	}
	put(t, "\"", 1);
	return RV_OK;
}

int
rv_rdata_to_str_fast(uint16_t type, const uint8_t *rd, size_t len,
    char *out, size_t outsz)
{
	struct text t = { out, outsz, 0, 0 };
	size_t off = 0;
	int rc = RV_OK;

	if (outsz == 0)
		return RV_ETOOBIG;
	out[0] = '\0';
	switch (type) {
	case 15:	/* MX: preference exchange */
		if ((rc = put_u16_at(&t, rd, len, &off)) == RV_OK) {
			put(&t, " ", 1);
			rc = put_name(&t, rd, len, &off);
		}
		break;
	case 33:	/* SRV: priority weight port target */
		for (int i = 0; i < 3 && rc == RV_OK; i++) {
			rc = put_u16_at(&t, rd, len, &off);
			put(&t, " ", 1);
		}
		if (rc == RV_OK)
			rc = put_name(&t, rd, len, &off);
		break;
	case 6:		/* SOA: mname rname serial refresh retry expire min */
		if ((rc = put_name(&t, rd, len, &off)) == RV_OK) {
			put(&t, " ", 1);
			rc = put_name(&t, rd, len, &off);
		}
		for (int i = 0; i < 5 && rc == RV_OK; i++) {
			put(&t, " ", 1);
			rc = put_u32_at(&t, rd, len, &off);
		}
		break;
	case 16: case 99:	/* TXT, SPF: one or more strings */
		if (len == 0)
			rc = RV_EFORMAT;
		while (rc == RV_OK && off < len) {
			if (off > 0)
				put(&t, " ", 1);
			rc = put_charstr(&t, rd, len, &off);
		}
		break;
	default:
		return RV_ENOENT;
	}
	if (rc != RV_OK || off != len) {
		out[0] = '\0';
		return RV_ENOENT;	/* not exactly this type: ldns decides */
	}
	return t.full ? RV_ETOOBIG : RV_OK;
}
