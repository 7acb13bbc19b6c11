/**
 * \file rv_rdata.c
 * RR types, classes, rcodes and rdata presentation through libldns
 * (rv_rdata_text.c prints the common types without it).
 */
#include "rv_rdata.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rv_err.h"
#include "rv_name.h"

const char *
rv_type_to_str(uint16_t type, char *buf)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);

	if (d && d->_name && d->_type == type)
		snprintf(buf, RV_TYPE_STR_MAX, "%s", d->_name);
	else
		snprintf(buf, RV_TYPE_STR_MAX, "TYPE%u", (unsigned)type);
	return buf;
}

int
rv_type_from_str(const char *s, uint16_t *type)
{
	ldns_rr_type t;

	if (strncasecmp(s, "TYPE", 4) == 0 && s[4] >= '0' && s[4] <= '9') {
		char *end;
		unsigned long v = strtoul(s + 4, &end, 10);
		if (*end || v > 65535)
			return RV_EINVAL;
		*type = (uint16_t)v;
		return RV_OK;
	}
	t = ldns_get_rr_type_by_name(s);
	if (t == 0)
		return RV_EINVAL;
	*type = (uint16_t)t;
	return RV_OK;
}

const char *
rv_class_to_str(uint16_t cls, char *buf)
{
	const ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rr_classes, cls);

	if (lt && lt->name)
		snprintf(buf, RV_TYPE_STR_MAX, "%s", lt->name);
	else
		snprintf(buf, RV_TYPE_STR_MAX, "CLASS%u", (unsigned)cls);
	return buf;
}

const char *
rv_rcode_to_str(uint8_t rcode, char *buf)
{
	const ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, rcode);

	if (lt && lt->name)
		snprintf(buf, RV_TYPE_STR_MAX, "%s", lt->name);
	else
		snprintf(buf, RV_TYPE_STR_MAX, "RCODE%u", (unsigned)rcode);
	return buf;
}

/* RFC 3597 generic form. */
static int
generic_str(const uint8_t *rd, size_t len, char *out, size_t outsz)
{
	size_t o;
	int n = snprintf(out, outsz, "\\# %zu%s", len, len ? " " : "");

	if (n < 0 || (size_t)n >= outsz)
		return RV_ETOOBIG;
	o = (size_t)n;
	if (o + len * 2 + 1 > outsz)
		return RV_ETOOBIG;
	for (size_t i = 0; i < len; i++) {
		static const char hex[] = "0123456789abcdef";
		out[o++] = hex[rd[i] >> 4];
		out[o++] = hex[rd[i] & 15];
	}
	out[o] = '\0';
	return RV_OK;
}

int
rv_rdata_to_str(uint16_t type, const uint8_t *rd, size_t len, char *out,
    size_t outsz)
{
	int rc = rv_rdata_to_str_fast(type, rd, len, out, outsz);

	return rc != RV_ENOENT ? rc : rv_rdata_to_str_ldns(type, rd, len, out,
	    outsz);
}

int
rv_rdata_to_str_ldns(uint16_t type, const uint8_t *rd, size_t len,
    char *out, size_t outsz)
{
	ldns_rr *rr = NULL;
	ldns_buffer *b = NULL;
	uint8_t *wire = NULL;
	size_t pos = 0;
	int rc = RV_OK;

	if (len > 65535)
		return RV_EINVAL;
	if (len == 0)	/* no type's text form is empty: say so in RFC 3597 */
		return generic_str(rd, len, out, outsz);
	if (!(wire = malloc(len + 2)) || !(rr = ldns_rr_new_frm_type(type)) ||
	    !(b = ldns_buffer_new(len * 4 + 64))) {
		rc = RV_ENOMEM;
		goto leave;
	}
	/* ldns_rr_new_frm_type() pre-creates empty rdfs; start clean. */
	while (ldns_rr_rd_count(rr) > 0)
		ldns_rdf_deep_free(ldns_rr_pop_rdf(rr));
	wire[0] = (uint8_t)(len >> 8);
	wire[1] = (uint8_t)len;
	memcpy(wire + 2, rd, len);
	if (ldns_wire2rdf(rr, wire, len + 2, &pos) != LDNS_STATUS_OK ||
	    pos != len + 2 || (len > 0 && ldns_rr_rd_count(rr) == 0)) {
		rc = generic_str(rd, len, out, outsz);
		goto leave;
	}
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		if (i)
			ldns_buffer_write_u8(b, ' ');
		if (ldns_rdf2buffer_str(b, ldns_rr_rdf(rr, i)) !=
		    LDNS_STATUS_OK) {
			rc = generic_str(rd, len, out, outsz);
			goto leave;
		}
	}
	if (ldns_buffer_status(b) != LDNS_STATUS_OK) {
		rc = RV_ENOMEM;
		goto leave;
	}
	if (ldns_buffer_position(b) + 1 > outsz) {
		rc = RV_ETOOBIG;
		goto leave;
	}
	memcpy(out, ldns_buffer_begin(b), ldns_buffer_position(b));
	out[ldns_buffer_position(b)] = '\0';
leave:
	ldns_buffer_free(b);
	ldns_rr_free(rr);
	free(wire);
	return rc;
}

int
rv_rdata_from_str(uint16_t type, const char *s, uint8_t *out, size_t *len)
{
	char tbuf[RV_TYPE_STR_MAX];
	ldns_rr *rr = NULL;
	ldns_rdf *origin = NULL;
	ldns_buffer *b = NULL;
	char *line = NULL;
	size_t n = strlen(s) + 64;
	int rc = RV_OK;

	if (!(line = malloc(n)) || !(b = ldns_buffer_new(512)) ||
	    !(origin = ldns_dname_new_frm_str("."))) {
		rc = RV_ENOMEM;
		goto leave;
	}
	snprintf(line, n, ". 0 IN %s %s", rv_type_to_str(type, tbuf), s);
	if (ldns_rr_new_frm_str(&rr, line, 0, origin, NULL) !=
	    LDNS_STATUS_OK || ldns_rr_get_type(rr) != type) {
		rc = RV_EINVAL;
		goto leave;
	}
	if (ldns_rr_rdata2buffer_wire(b, rr) != LDNS_STATUS_OK) {
		rc = RV_EINVAL;
		goto leave;
	}
	if (ldns_buffer_position(b) > *len) {
		rc = RV_ETOOBIG;
		goto leave;
	}
	memcpy(out, ldns_buffer_begin(b), ldns_buffer_position(b));
	*len = ldns_buffer_position(b);
leave:
	ldns_buffer_free(b);
	ldns_rdf_deep_free(origin);
	ldns_rr_free(rr);
	free(line);
	return rc;
}

/* Skip one <character-string> at *off. */
static int
skip_charstr(const uint8_t *rd, size_t len, size_t *off)
{
	if (*off >= len || *off + 1 + rd[*off] > len)
		return RV_EFORMAT;
	*off += 1 + (size_t)rd[*off];
	return RV_OK;
}

int
rv_rdata_target(uint16_t type, const uint8_t *rd, size_t len,
    const uint8_t **name, size_t *nlen)
{
	size_t off;

	switch (type) {
	case LDNS_RR_TYPE_NS: case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_DNAME: case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_MD: case LDNS_RR_TYPE_MF: case LDNS_RR_TYPE_MB:
	case LDNS_RR_TYPE_MG: case LDNS_RR_TYPE_MR: case LDNS_RR_TYPE_SOA:
		off = 0;
		break;
	case LDNS_RR_TYPE_MX: case LDNS_RR_TYPE_KX: case LDNS_RR_TYPE_RT:
	case LDNS_RR_TYPE_AFSDB: case 64 /* SVCB */: case 65 /* HTTPS */:
		off = 2;
		break;
	case LDNS_RR_TYPE_SRV:
		off = 6;
		break;
	case LDNS_RR_TYPE_NAPTR:
		off = 4;
		for (int i = 0; i < 3; i++)
			if (skip_charstr(rd, len, &off) != RV_OK)
				return RV_EFORMAT;
		break;
	default:
		return RV_ENOENT;
	}
	if (off >= len || rv_name_wire_len(rd + off, len - off, nlen) != RV_OK)
		return RV_EFORMAT;
	*name = rd + off;
	return RV_OK;
}
