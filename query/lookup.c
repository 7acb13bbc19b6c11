/**
 * \file lookup.c
 * RRsets of a name (one prefix scan of the RRset index), of every name
 * below it (*.NAME: one prefix scan over the reversed labels) or of the
 * names beginning with its labels (NAME.*: one prefix scan of the names
 * index, then one of the RRset index per name); or the negative answers
 * (NXDOMAIN, NODATA) of a name or of the names below it.
 */
#include "exec.h"
#include "rv_err.h"

struct lookup {
	struct rvq_ctx *c;
	size_t apex_len;	/* *.NAME: skip NAME itself */
};

/* A negative answer: the rrset row's fields, no rdata, and its rcode. */
static int
neg_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct lookup *lk = arg;
	struct rv_rrset_key key;
	struct rv_rrset_val val;
	struct rvq_row r;
	int rc;

	if ((rc = rv_neg_key_decode(k->data, k->len, &key)) != 0)
		return rc;
	if (lk->apex_len > 0 && key.owner_len == lk->apex_len)
		return RV_OK;
	if ((rc = rv_neg_val_decode(v->data, v->len, &val)) != 0)
		return rc;
	rvq_row_from_rrset(&r, &key, &val);
	r.negative = 1;
	r.rcode = key.rcode;
	return rvq_emit(lk->c, &r);
}

static int
rrset_row(const struct rv_val *k, const struct rv_val *v, void *arg)
{
	struct lookup *lk = arg;
	struct rv_rrset_key key;
	struct rv_rrset_val val;
	struct rvq_row r;
	int rc;

	if ((rc = rv_rrset_key_decode(k->data, k->len, &key)) != 0)
		return rc;
	if (lk->apex_len > 0 && key.owner_len == lk->apex_len)
		return RV_OK;
	if ((rc = rv_rrset_val_decode(v->data, v->len, &val)) != 0)
		return rc;
	rvq_row_from_rrset(&r, &key, &val);
	return rvq_emit(lk->c, &r);
}

int
rvq_exec_lookup(struct rvq_ctx *c, struct rvq_err *err)
{
	const struct rvq_query *q = c->q;
	struct lookup lk = { c, 0 };
	struct rv_key pre;
	int rc;

	switch (q->wild) {
	case 1:
		lk.apex_len = q->name_len;
		rc = rv_key_rrset_sub(&pre, q->name, q->name_len);
		break;
	case 2:		/* names db rows, then each owner's RRsets (none for
			 * a name seen only as a target: SCHEMA.md) */
		rc = rv_key_names_prefix(&pre, q->name, q->name_len);
		break;
	default:
		rc = rv_key_rrset_name(&pre, q->name, q->name_len);
		break;
	}
	if (rc != RV_OK) {
		rvq_errf(err, "name '%s' is too long for a key", q->arg);
		return RV_EINVAL;
	}
	if (c->f->negative) {
		/* Negative answers share the rrset keys' prefixes; the names
		 * index holds names with records only. */
		if (q->wild == 2) {
			rvq_errf(err, "'%s': NAME.* does not reach negative "
			    "answers (give NAME or *.NAME)", q->arg);
			return RV_EINVAL;
		}
		return rvq_scan(c, RV_DB_NEG, &pre, &pre, neg_row, &lk);
	}
	if (q->wild == 2)
		return rvq_names_scan(c, &pre, RV_DB_RRSET, rv_key_rrset_name,
		    rrset_row, &lk);
	return rvq_scan(c, RV_DB_RRSET, &pre, &pre, rrset_row, &lk);
}
