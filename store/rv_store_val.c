/**
 * \file rv_store_val.c
 * Value encoders, decoders and merge rules for the store's databases.
 */
#include <string.h>

#include "rv_err.h"
#include "rv_store.h"
#include "rv_be.h"

#define NUMS 20	/* first last count ttl_min ttl_max */

static int
decode_common(const uint8_t *v, size_t len, struct rv_rrset_val *out,
    size_t *off)
{
	size_t o;

	memset(out, 0, sizeof(*out));
	if (len < NUMS + 1)
		return RV_ECORRUPT;
	out->first = rv_get32(v);
	out->last = rv_get32(v + 4);
	out->count = rv_get32(v + 8);
	out->ttl_min = rv_get32(v + 12);
	out->ttl_max = rv_get32(v + 16);
	out->nsens = v[NUMS];
	o = NUMS + 1;
	if (out->nsens > RV_SENSORS_MAX || o + 2u * out->nsens > len)
		return RV_ECORRUPT;
	for (unsigned i = 0; i < out->nsens; i++, o += 2)
		out->sensor[i] = rv_get16(v + o);
	*off = o;
	return RV_OK;
}

int
rv_rrset_val_decode(const uint8_t *v, size_t len, struct rv_rrset_val *out)
{
	size_t o, so = 0;
	const uint8_t *rd;
	uint16_t rl;
	unsigned n = 0;
	int rc;

	if (decode_common(v, len, out, &o) != RV_OK || o + 2 > len)
		return RV_ECORRUPT;
	out->rdcount = rv_get16(v + o);
	o += 2;
	out->set = v + o;
	out->set_len = len - o;
	while ((rc = rv_set_next(out->set, out->set_len, &so, &rd, &rl)) == 0)
		n++;
	if (rc != RV_ENOENT || n != out->rdcount)
		return RV_ECORRUPT;
	return RV_OK;
}

int
rv_neg_val_decode(const uint8_t *v, size_t len, struct rv_rrset_val *out)
{
	size_t o;

	if (decode_common(v, len, out, &o) != RV_OK || o != len)
		return RV_ECORRUPT;
	return RV_OK;
}

size_t
rv_neg_val_size(const struct rv_rrset_val *v)
{
	return NUMS + 1 + 2u * v->nsens;
}

size_t
rv_rrset_val_size(const struct rv_rrset_val *v)
{
	return rv_neg_val_size(v) + 2 + v->set_len;
}

void
rv_neg_val_encode(const struct rv_rrset_val *v, uint8_t *out)
{
	rv_put32(out, v->first);
	rv_put32(out + 4, v->last);
	rv_put32(out + 8, v->count);
	rv_put32(out + 12, v->ttl_min);
	rv_put32(out + 16, v->ttl_max);
	out[NUMS] = v->nsens;
	for (unsigned i = 0; i < v->nsens; i++)
		rv_put16(out + NUMS + 1 + 2 * i, v->sensor[i]);
}

void
rv_rrset_val_encode(const struct rv_rrset_val *v, uint8_t *out)
{
	size_t o = rv_neg_val_size(v);

	rv_neg_val_encode(v, out);
	rv_put16(out + o, v->rdcount);
	if (v->set_len)
		memcpy(out + o + 2, v->set, v->set_len);
}

void
rv_rrset_val_add_sensor(struct rv_rrset_val *v, uint16_t id)
{
	unsigned i = 0;

	while (i < v->nsens && v->sensor[i] < id)
		i++;
	if ((i < v->nsens && v->sensor[i] == id) || v->nsens == RV_SENSORS_MAX)
		return;
	memmove(v->sensor + i + 1, v->sensor + i,
	    (v->nsens - i) * sizeof(v->sensor[0]));
	v->sensor[i] = id;
	v->nsens++;
}

static uint32_t
sat_add(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

void
rv_rrset_val_merge(struct rv_rrset_val *into, const struct rv_rrset_val *add)
{
	if (add->first < into->first)
		into->first = add->first;
	if (add->last > into->last)
		into->last = add->last;
	into->count = sat_add(into->count, add->count);
	if (add->ttl_min < into->ttl_min)
		into->ttl_min = add->ttl_min;
	if (add->ttl_max > into->ttl_max)
		into->ttl_max = add->ttl_max;
	for (unsigned i = 0; i < add->nsens; i++)
		rv_rrset_val_add_sensor(into, add->sensor[i]);
}

/* --- rdata, names, asn -------------------------------------------------- */

int
rv_rdata_val_decode(const uint8_t *v, size_t len, struct rv_seen *out)
{
	if (len != RV_RDATA_VAL_SIZE)
		return RV_ECORRUPT;
	out->first = rv_get32(v);
	out->last = rv_get32(v + 4);
	out->count = rv_get32(v + 8);
	return RV_OK;
}

void
rv_rdata_val_encode(const struct rv_seen *s, uint8_t *out)
{
	rv_put32(out, s->first);
	rv_put32(out + 4, s->last);
	rv_put32(out + 8, s->count);
}

static int
seen2_decode(const uint8_t *v, size_t len, struct rv_seen *out)
{
	if (len != RV_SEEN2_SIZE)
		return RV_ECORRUPT;
	out->first = rv_get32(v);
	out->last = rv_get32(v + 4);
	out->count = 0;
	return RV_OK;
}

int
rv_names_val_decode(const uint8_t *v, size_t len, struct rv_seen *out)
{
	return seen2_decode(v, len, out);
}

int
rv_asn_val_decode(const uint8_t *v, size_t len, struct rv_seen *out)
{
	return seen2_decode(v, len, out);
}

void
rv_seen2_encode(const struct rv_seen *s, uint8_t *out)
{
	rv_put32(out, s->first);
	rv_put32(out + 4, s->last);
}

void
rv_seen_merge(struct rv_seen *into, const struct rv_seen *add)
{
	if (add->first < into->first)
		into->first = add->first;
	if (add->last > into->last)
		into->last = add->last;
	into->count = sat_add(into->count, add->count);
}

/* --- ip ------------------------------------------------------------------ */

static size_t
slen(const char *s)
{
	size_t n = strnlen(s, RV_INFO_STR_MAX - 1);

	return n > 255 ? 255 : n;
}

size_t
rv_ipinfo_size(const struct rv_ipinfo *in)
{
	return 4 + 4 + 2 + 4 + 4 + 1 + slen(in->org) + 1 + slen(in->city);
}

void
rv_ipinfo_encode(const struct rv_ipinfo *in, uint8_t *out)
{
	size_t o = 0, n;

	rv_put32(out, in->until);
	rv_put32(out + 4, in->asn);
	out[8] = (uint8_t)in->cc[0];
	out[9] = in->cc[0] ? (uint8_t)in->cc[1] : 0;
	rv_put32(out + 10, (uint32_t)in->lat);
	rv_put32(out + 14, (uint32_t)in->lon);
	o = 18;
	n = slen(in->org);
	out[o++] = (uint8_t)n;
	memcpy(out + o, in->org, n);
	o += n;
	n = slen(in->city);
	out[o++] = (uint8_t)n;
	memcpy(out + o, in->city, n);
}

int
rv_ipinfo_decode(const uint8_t *v, size_t len, struct rv_ipinfo *out)
{
	size_t o = 18, n;

	if (len < 20)
		return RV_ECORRUPT;
	out->until = rv_get32(v);
	out->asn = rv_get32(v + 4);
	out->cc[0] = (char)v[8];
	out->cc[1] = (char)v[9];
	out->cc[2] = 0;
	out->lat = (int32_t)rv_get32(v + 10);
	out->lon = (int32_t)rv_get32(v + 14);
	n = v[o++];
	if (o + n + 1 > len)
		return RV_ECORRUPT;
	memcpy(out->org, v + o, n);
	out->org[n] = 0;
	o += n;
	n = v[o++];
	if (o + n != len)
		return RV_ECORRUPT;
	memcpy(out->city, v + o, n);
	out->city[n] = 0;
	return RV_OK;
}

int
rv_ipinfo_same(const struct rv_ipinfo *a, const struct rv_ipinfo *b)
{
	return a->asn == b->asn && strncmp(a->cc, b->cc, 2) == 0 &&
	    a->lat == b->lat && a->lon == b->lon &&
	    strcmp(a->org, b->org) == 0 && strcmp(a->city, b->city) == 0;
}
