/**
 * \file name_arg.c
 * Names as analysts type them: U-labels or A-labels, "*.NAME" for what is
 * below a name and "NAME.*" for names that begin with its labels.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv_err.h"
#include "rvq.h"
#include "rvq_idn.h"

void
rvq_errf(struct rvq_err *err, const char *fmt, ...)
{
	const size_t half = (sizeof(err->msg) - 8) / 2;
	char *big;
	va_list ap;
	int n;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n < sizeof(err->msg))
		return;
	/* A message swollen by a huge argument keeps its start and its end,
	 * where the reason is, around a mark. */
	if ((big = malloc((size_t)n + 1)) == NULL)
		return;		/* the cut one stands */
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	memcpy(err->msg, big, half);
	memcpy(err->msg + half, "[...]", 5);
	memcpy(err->msg + half + 5, big + n - half, half);
	err->msg[2 * half + 5] = '\0';
	free(big);
}

/* A URL or a line of text pasted where a name belongs: say what to give
 * instead of answering 'invalid' or, worse, 'no results'. */
static int
looks_pasted(const char *arg, struct rvq_err *err)
{
	const char *h = strstr(arg, "://");

	if (h != NULL) {
		size_t n;
		h += 3;
		n = strcspn(h, "/:?#@");
		if (memchr(h, '@', strcspn(h, "/?#")) != NULL) {
			h = strchr(h, '@') + 1;	/* user:pass@host */
			n = strcspn(h, "/:?#");
		}
		rvq_errf(err, "'%s' is a URL: give its host name ('%.*s')", arg,
		    (int)(n < 253 ? n : 253), h);
		return 1;
	}
	if (strpbrk(arg, " \t\r\n") != NULL) {
		rvq_errf(err, "invalid name '%s': a name has no spaces (give "
		    "each name as its own argument)", arg);
		return 1;
	}
	return 0;
}

int
rvq_name_arg(const char *arg, uint8_t *wire, size_t *len, int *wild,
    struct rvq_err *err)
{
	char a[RV_NAME_STR_MAX];
	size_t n;
	int rc;

	*wild = 0;
	if (looks_pasted(arg, err))
		return RV_EINVAL;
	rc = rvq_idn_input(arg, a, sizeof(a));
	if (rc != RV_OK) {
		rvq_errf(err, "invalid name '%s': %s", arg,
		    rc == RV_EINVAL ? "not a valid internationalised name" :
		    rc == RV_ETOOBIG ? "a label over 63 or the name over 255 "
		    "octets" : rv_strerror(rc));
		return RV_EINVAL;
	}
	n = strlen(a);
	if (strncmp(a, "*.", 2) == 0) {
		*wild = 1;
		memmove(a, a + 2, n - 1);
		if (a[0] == '\0' || strcmp(a, ".") == 0) {
			rvq_errf(err, "'%s' would match every name; give a "
			    "domain after '*.'", arg);
			return RV_EINVAL;
		}
	} else if (n >= 2 && strcmp(a + n - 2, ".*") == 0) {
		*wild = 2;
		a[n - 2] = '\0';
		if (a[0] == '\0') {
			rvq_errf(err, "'%s' would match every name", arg);
			return RV_EINVAL;
		}
	}
	if (strchr(a, '*') != NULL && strstr(a, "\\*") == NULL) {
		rvq_errf(err, "invalid name '%s': a wildcard is '*.NAME' or "
		    "'NAME.*'", arg);
		return RV_EINVAL;
	}
	if (a[0] == '\0' || (rc = rv_name_from_str(a, wire, len)) != RV_OK) {
		rvq_errf(err, "invalid name '%s': %s", arg,
		    a[0] == '\0' ? "empty" : rc == RV_ETOOBIG ?
		    "a label over 63 or the name over 255 octets" :
		    "empty label or bad escape");
		return RV_EINVAL;
	}
	rv_name_canon(wire, *len);
	return RV_OK;
}

int
rvq_zone_arg(const char *arg, uint8_t *wire, size_t *len)
{
	char a[RV_NAME_STR_MAX];

	if (rvq_idn_input(arg, a, sizeof(a)) != RV_OK ||
	    rv_name_from_str(a, wire, len) != RV_OK)
		return RV_EINVAL;
	rv_name_canon(wire, *len);
	return RV_OK;
}
