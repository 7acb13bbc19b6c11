/**
 * \file idn.c
 * U-labels <-> A-labels with libidn2.
 */
#include "rvq_idn.h"

#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rv_err.h"

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

int
rvq_idn_input(const char *in, char *out, size_t outsz)
{
	const char *head = "", *tail = "";
	char *mid = NULL, *ascii = NULL;
	size_t n = strlen(in);
	int rc = RV_OK;

	if (is_ascii(in)) {
		if (n >= outsz)
			return RV_ETOOBIG;
		memcpy(out, in, n + 1);
		return RV_OK;
	}
	if (strncmp(in, "*.", 2) == 0) {
		head = "*.";
		in += 2;
		n -= 2;
	}
	if (n >= 2 && strcmp(in + n - 2, ".*") == 0) {
		tail = ".*";
		n -= 2;
	}
	if ((mid = strndup(in, n)) == NULL) {
		rc = RV_ENOMEM;
		goto leave;
	}
	if (idn2_to_ascii_8z(mid, &ascii, IDN2_NFC_INPUT |
	    IDN2_NONTRANSITIONAL) != IDN2_OK) {
		rc = RV_EINVAL;
		goto leave;
	}
	if (strlen(head) + strlen(ascii) + strlen(tail) >= outsz) {
		rc = RV_ETOOBIG;
		goto leave;
	}
	strcpy(out, head);
	strcat(out, ascii);
	strcat(out, tail);
leave:
	free(mid);
	idn2_free(ascii);
	return rc;
}

int
rvq_idn_unicode(const char *ascii, char *out, size_t outsz)
{
	char *u = NULL;
	int done = 0;

	if (strncasecmp(ascii, "xn--", 4) != 0 && strstr(ascii, ".xn--") ==
	    NULL && strstr(ascii, ".XN--") == NULL)
		return 0;
	if (idn2_to_unicode_8z8z(ascii, &u, 0) == IDN2_OK &&
	    strcmp(u, ascii) != 0 && strlen(u) < outsz) {
		strcpy(out, u);
		done = 1;
	}
	idn2_free(u);
	return done;
}
