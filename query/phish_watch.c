/**
 * \file phish_watch.c
 * The phishing report's watch list: brands, own domains, allowed domains,
 * from a plain file (contrib/watch.conf shows the format).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rv_err.h"
#include "rvq_phish.h"

struct rvq_watch {
	struct rvq_watch_entry *e;
	size_t n, cap;
};

struct rvq_watch *
rvq_watch_new(void)
{
	return calloc(1, sizeof(struct rvq_watch));
}

void
rvq_watch_free(struct rvq_watch *w)
{
	if (w == NULL)
		return;
	free(w->e);
	free(w);
}

size_t
rvq_watch_count(const struct rvq_watch *w)
{
	return w ? w->n : 0;
}

const struct rvq_watch_entry *
rvq_watch_at(const struct rvq_watch *w, size_t i)
{
	return (w && i < w->n) ? &w->e[i] : NULL;
}

/* A label: [a-z0-9-], 1..63, no leading or trailing hyphen. */
static int
label_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) ||
		    s[i] == '-'))
			return 0;
	return 1;
}

/* A domain of at least two valid labels, lowercase ASCII. */
static int
domain_ok(const char *s)
{
	size_t len = strlen(s), i, start = 0, labels = 0;

	if (len == 0 || len >= RVQ_PHISH_DOMAIN_MAX)
		return 0;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (!label_ok(s + start, i - start))
				return 0;
			labels++;
			start = i + 1;
		}
	}
	return labels >= 2;
}

static int
push(struct rvq_watch *w, int kind, const char *label, size_t llen,
    const char *domain)
{
	struct rvq_watch_entry *e;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		void *p = realloc(w->e, cap * sizeof(*w->e));

		if (p == NULL)
			return RV_ENOMEM;
		w->e = p;
		w->cap = cap;
	}
	e = &w->e[w->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	memcpy(e->label, label, llen);
	e->label[llen] = '\0';
	snprintf(e->domain, sizeof(e->domain), "%s", domain);
	return RV_OK;
}

/* Next whitespace-separated token of *p, lowercased into buf. */
static int
token(const char **p, char *buf, size_t bufsz)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '\n' || *s == '\r')
		return 0;
	while (*s && !isspace((unsigned char)*s)) {
		if (n + 1 >= bufsz)
			return -1;
		buf[n++] = (char)tolower((unsigned char)*s);
		s++;
	}
	buf[n] = '\0';
	*p = s;
	return 1;
}

static void
set_why(const char **why, const char *text)
{
	if (why)
		*why = text;
}

int
rvq_watch_add(struct rvq_watch *w, const char *kind, const char *value,
    const char **why)
{
	char tok[RVQ_PHISH_DOMAIN_MAX], label[RVQ_PHISH_BRAND_MAX];
	const char *p = value, *dot;
	size_t llen;
	int k, t, rc, ndom = 0;

	if (w == NULL || kind == NULL || value == NULL) {
		set_why(why, "missing argument");
		return RV_EINVAL;
	}
	if (strcasecmp(kind, "brand") == 0)
		k = RVQ_WATCH_BRAND;
	else if (strcasecmp(kind, "own") == 0)
		k = RVQ_WATCH_OWN;
	else if (strcasecmp(kind, "allow") == 0)
		k = RVQ_WATCH_ALLOW;
	else {
		set_why(why, "unknown kind (brand, own or allow)");
		return RV_EINVAL;
	}
	t = token(&p, tok, sizeof(tok));
	if (t <= 0) {
		set_why(why, t < 0 ? "value too long" : "missing value");
		return RV_EINVAL;
	}
	if (tok[0] != '\0' && tok[strlen(tok) - 1] == '.')
		tok[strlen(tok) - 1] = '\0';
	dot = strchr(tok, '.');
	if (k != RVQ_WATCH_BRAND || dot != NULL) {
		/* A domain: own, allow, or "brand DOMAIN". */
		if (!domain_ok(tok)) {
			set_why(why, "not a domain name (lowercase ASCII, "
			    "xn-- for IDN, at least two labels)");
			return RV_EINVAL;
		}
		if (token(&p, label, sizeof(label)) != 0) {
			set_why(why, "one domain a line expected");
			return RV_EINVAL;
		}
		llen = (size_t)(strchr(tok, '.') - tok);
		if (k == RVQ_WATCH_ALLOW)
			llen = 0;
		return push(w, k, tok, llen, tok);
	}
	/* "brand LABEL [DOMAIN...]" */
	llen = strlen(tok);
	if (!label_ok(tok, llen) || llen < 2) {
		set_why(why, "not a brand label (2-63 of a-z, 0-9, '-')");
		return RV_EINVAL;
	}
	memcpy(label, tok, llen + 1);
	while ((t = token(&p, tok, sizeof(tok))) != 0) {
		if (t < 0 || !domain_ok(tok)) {
			set_why(why, "not a domain name after the brand label");
			return RV_EINVAL;
		}
		if ((rc = push(w, k, label, llen, tok)) != RV_OK)
			return rc;
		ndom++;
	}
	return ndom ? RV_OK : push(w, k, label, llen, "");
}

int
rvq_watch_load(struct rvq_watch *w, const char *path, unsigned *errline,
    const char **why)
{
	char line[1024], kind[16];
	const char *p;
	unsigned no = 0;
	FILE *f;
	int rc = RV_OK, t;

	if (errline)
		*errline = 0;
	set_why(why, NULL);
	if (w == NULL || path == NULL) {
		set_why(why, "missing argument");
		return RV_EINVAL;
	}
	if ((f = fopen(path, "r")) == NULL) {
		set_why(why, "cannot open");
		return RV_EIO;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *hash;

		no++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			set_why(why, "line too long");
			rc = RV_EINVAL;
			goto leave;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		p = line;
		t = token(&p, kind, sizeof(kind));
		if (t == 0)
			continue;
		if (t < 0) {
			set_why(why, "unknown kind (brand, own or allow)");
			rc = RV_EINVAL;
			goto leave;
		}
		if ((rc = rvq_watch_add(w, kind, p, why)) != RV_OK)
			goto leave;
	}
	if (ferror(f)) {
		set_why(why, "read error");
		rc = RV_EIO;
		no = 0;
	}
leave:
	if (rc != RV_OK && errline)
		*errline = rc == RV_EIO ? 0 : no;
	fclose(f);
	return rc;
}

/* name == d or name ends in "." d */
static int
at_or_below(const char *name, size_t nlen, const char *d)
{
	size_t dlen = strlen(d);

	if (dlen == 0 || dlen > nlen)
		return 0;
	if (memcmp(name + nlen - dlen, d, dlen) != 0)
		return 0;
	return dlen == nlen || name[nlen - dlen - 1] == '.';
}

int
rvq_watch_exempt(const struct rvq_watch *w, const char *name)
{
	size_t i, nlen;

	if (w == NULL || name == NULL)
		return 0;
	nlen = strlen(name);
	for (i = 0; i < w->n; i++)
		if (at_or_below(name, nlen, w->e[i].domain))
			return 1;
	return 0;
}
