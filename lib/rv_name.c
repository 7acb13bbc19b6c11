/**
 * \file rv_name.c
 * DNS names: presentation, wire, canonical form and index keys.
 */
#include "rv_name.h"

#include <string.h>

#include "rv_err.h"

static inline uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

int
rv_name_wire_len(const uint8_t *p, size_t max, size_t *len)
{
	size_t off = 0;

	for (;;) {
		if (off >= max)
			return RV_ETRUNC;
		uint8_t l = p[off];
		if (l & 0xc0)
			return RV_EFORMAT;	/* pointer or extended label */
		if (off + 1 + l > RV_NAME_MAX)
			return RV_ETOOBIG;
		off += 1 + (size_t)l;
		if (l == 0)
			break;
	}
	if (off > max)
		return RV_ETRUNC;
	*len = off;
	return RV_OK;
}

/* Read one presentation octet at *s (handles \X and \DDD). */
static int
pres_octet(const char **s, uint8_t *out)
{
	const char *p = *s;

	if (*p != '\\') {
		*out = (uint8_t)*p;
		*s = p + 1;
		return RV_OK;
	}
	p++;
	if (*p >= '0' && *p <= '9') {
		if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9'))
			return RV_EINVAL;
		int v = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
		if (v > 255)
			return RV_EINVAL;
		*out = (uint8_t)v;
		*s = p + 3;
		return RV_OK;
	}
	if (*p == '\0')
		return RV_EINVAL;
	*out = (uint8_t)*p;
	*s = p + 1;
	return RV_OK;
}

int
rv_name_from_str(const char *s, uint8_t *out, size_t *len)
{
	size_t off = 0;
	int rc;

	if (s[0] == '\0' || (s[0] == '.' && s[1] == '\0')) {
		out[0] = 0;
		*len = 1;
		return RV_OK;
	}
	while (*s) {
		size_t lab = off++;
		uint8_t n = 0;

		if (*s == '.')
			return RV_EINVAL;	/* empty label */
		while (*s && *s != '.') {
			uint8_t c;
			if ((rc = pres_octet(&s, &c)) != RV_OK)
				return rc;
			if (n == RV_LABEL_MAX || off + 1 >= RV_NAME_MAX)
				return RV_ETOOBIG;
			out[off++] = c;
			n++;
		}
		out[lab] = n;
		if (*s == '.')
			s++;
	}
	if (off + 1 > RV_NAME_MAX)
		return RV_ETOOBIG;
	out[off++] = 0;
	*len = off;
	return RV_OK;
}

/* Printable octets that are escaped with a backslash in names: a test
 * instead of strchr, which a scan would call for every octet it prints. */
static inline int
special(uint8_t c)
{
	switch (c) {
	case '.': case '\\': case '"': case '(': case ')': case ';':
	case '@': case '$':
		return 1;
	default:
		return 0;
	}
}

int
rv_name_to_str(const uint8_t *wire, size_t len, char *out, size_t outsz)
{
	size_t wl, o = 0, i = 0;
	int rc;

	if ((rc = rv_name_wire_len(wire, len, &wl)) != RV_OK)
		return rc;
	if (outsz < 2)
		return RV_ETOOBIG;
	if (wire[0] == 0) {
		out[0] = '.';
		out[1] = '\0';
		return RV_OK;
	}
	while (wire[i]) {
		uint8_t l = wire[i++], k = 0;

		/* Most labels need no escape: copy them whole. */
		while (k < l && wire[i + k] > 0x20 && wire[i + k] < 0x7f &&
		    !special(wire[i + k]))
			k++;
		if (k == l && o + l + 2 <= outsz) {
			memcpy(out + o, wire + i, l);
			o += l;
			i += l;
			out[o++] = '.';
			continue;
		}
		for (k = 0; k < l; k++, i++) {
			uint8_t c = wire[i];
			if (o + 5 > outsz)
				return RV_ETOOBIG;
			if (c < 0x21 || c > 0x7e) {
				out[o++] = '\\';
				out[o++] = (char)('0' + c / 100);
				out[o++] = (char)('0' + (c / 10) % 10);
				out[o++] = (char)('0' + c % 10);
			} else {
				if (special(c))
					out[o++] = '\\';
				out[o++] = (char)c;
			}
		}
		if (o + 2 > outsz)
			return RV_ETOOBIG;
		out[o++] = '.';
	}
	out[o] = '\0';
	return RV_OK;
}

void
rv_name_canon(uint8_t *wire, size_t len)
{
	size_t i = 0;

	while (i < len && wire[i]) {
		uint8_t l = wire[i++];
		for (uint8_t k = 0; k < l && i < len; k++, i++)
			wire[i] = lower(wire[i]);
	}
}

int
rv_name_labels(const uint8_t *wire, size_t len)
{
	size_t i = 0;
	int n = 0;

	while (i < len && wire[i]) {
		i += 1 + (size_t)wire[i];
		n++;
	}
	return n;
}

/* Offsets of each label's length octet; returns the number of labels. */
static int
label_offsets(const uint8_t *wire, size_t len, uint8_t offs[128])
{
	size_t i = 0;
	int n = 0;

	while (i < len && wire[i] && n < 128) {
		offs[n++] = (uint8_t)i;
		i += 1 + (size_t)wire[i];
	}
	return n;
}

int
rv_name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i = 0;

	if (alen != blen)
		return 0;
	if (memcmp(a, b, alen) == 0)	/* the usual case: same octets */
		return 1;
	while (i < alen) {
		uint8_t l = a[i];
		if (b[i] != l)	/* label lengths: exact, never case-folded */
			return 0;
		if (l == 0)
			return i + 1 == alen;
		if (++i + l > alen)
			return 0;
		for (size_t e = i + l; i < e; i++)
			if (a[i] != b[i] && lower(a[i]) != lower(b[i]))
				return 0;
	}
	return 0;
}

int
rv_name_is_subdomain(const uint8_t *name, size_t nlen, const uint8_t *zone,
    size_t zlen)
{
	uint8_t no[128], zo[128];
	int nn = label_offsets(name, nlen, no);
	int zn = label_offsets(zone, zlen, zo);

	if (zn > nn)
		return 0;
	/* Compare the last zn labels of name with zone. */
	for (int k = 0; k < zn; k++) {
		const uint8_t *a = name + no[nn - zn + k];
		const uint8_t *b = zone + zo[k];
		if (a[0] != b[0])
			return 0;
		for (uint8_t j = 1; j <= a[0]; j++)
			if (lower(a[j]) != lower(b[j]))
				return 0;
	}
	return 1;
}

/* Append one label's octets in key form; returns new offset or 0. */
static size_t
key_label(const uint8_t *lab, uint8_t l, uint8_t *key, size_t o)
{
	for (uint8_t j = 0; j < l; j++) {
		uint8_t c = lower(lab[j]);
		if (o + 3 > RV_NAME_KEY_MAX)
			return 0;
		if (c <= 1) {
			key[o++] = 1;
			key[o++] = (uint8_t)(c + 1);
		} else {
			key[o++] = c;
		}
	}
	key[o++] = 0;
	return o;
}

static int
name_key(const uint8_t *wire, size_t len, uint8_t *key, size_t *keylen,
    int fwd, int terminate)
{
	uint8_t offs[128];
	size_t wl, o = 0;
	int rc, n;

	if ((rc = rv_name_wire_len(wire, len, &wl)) != RV_OK)
		return rc;
	n = label_offsets(wire, wl, offs);
	for (int k = 0; k < n; k++) {
		int idx = fwd ? k : n - 1 - k;
		const uint8_t *lab = wire + offs[idx];
		if ((o = key_label(lab + 1, lab[0], key, o)) == 0)
			return RV_ETOOBIG;
	}
	if (terminate)
		key[o++] = 0;
	*keylen = o;
	return RV_OK;
}

int
rv_name_key(const uint8_t *wire, size_t len, uint8_t *key, size_t *keylen)
{
	return name_key(wire, len, key, keylen, 0, 1);
}

int
rv_name_key_prefix(const uint8_t *wire, size_t len, uint8_t *key,
    size_t *keylen)
{
	return name_key(wire, len, key, keylen, 0, 0);
}

int
rv_name_key_fwd(const uint8_t *wire, size_t len, uint8_t *key,
    size_t *keylen)
{
	return name_key(wire, len, key, keylen, 1, 1);
}

int
rv_name_key_len(const uint8_t *key, size_t max, size_t *keylen)
{
	if (max >= 1 && key[0] == 0) {		/* the root */
		*keylen = 1;
		return RV_OK;
	}
	for (size_t i = 1; i < max; i++) {
		if (key[i] == 0 && key[i - 1] == 0) {
			*keylen = i + 1;
			return RV_OK;
		}
		if (i > RV_NAME_KEY_MAX)
			break;
	}
	return RV_EFORMAT;
}

int
rv_name_from_key_prefix(const uint8_t *key, size_t max, uint8_t *wire,
    size_t *len, size_t *used)
{
	const uint8_t *lp[128];
	uint8_t tmp[128 * RV_LABEL_MAX];	/* labels that had escapes */
	size_t ll[128], i = 0, o = 0, t = 0;
	int n = 0;

	/* The labels, top-level first: pointed at in the key, or, when they
	 * hold escapes (octets 0 and 1 are 1 1 and 1 2), unescaped into tmp.
	 * Then copied whole, last to first. */
	while (i < max && key[i] != 0) {
		size_t s = i, l = 0;

		if (n == 128)
			return RV_ETOOBIG;
		while (i < max && key[i] > 1)
			i++;
		if (i < max && key[i] == 1) {
			for (i = s; i < max && key[i] != 0; l++) {
				uint8_t c = key[i++];
				if (c == 1) {
					if (i >= max || key[i] < 1 || key[i] > 2)
						return RV_EFORMAT;
					c = (uint8_t)(key[i++] - 1);
				}
				if (l == RV_LABEL_MAX)
					return RV_ETOOBIG;
				tmp[t + l] = c;
			}
			lp[n] = tmp + t;
			t += l;
		} else {
			lp[n] = key + s;
			l = i - s;
		}
		if (i >= max)
			return RV_EFORMAT;
		if (l > RV_LABEL_MAX)
			return RV_ETOOBIG;
		ll[n++] = l;
		i++;			/* label separator */
	}
	if (i >= max)
		return RV_EFORMAT;	/* missing name terminator */
	for (int k = n - 1; k >= 0; k--) {
		if (o + 1 + ll[k] + 1 > RV_NAME_MAX)
			return RV_ETOOBIG;
		wire[o++] = (uint8_t)ll[k];
		memcpy(wire + o, lp[k], ll[k]);
		o += ll[k];
	}
	wire[o++] = 0;
	*len = o;
	*used = i + 1;
	return RV_OK;
}

int
rv_name_from_key(const uint8_t *key, size_t keylen, uint8_t *wire,
    size_t *len)
{
	size_t used;

	if (keylen == 0)
		return RV_EFORMAT;
	return rv_name_from_key_prefix(key, keylen, wire, len, &used);
}
