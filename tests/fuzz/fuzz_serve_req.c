/**
 * \file fuzz_serve_req.c
 * libFuzzer target for the service's request-target parser
 * (serve/sv_req.c): any octets as a target must give a route or a status
 * with a one-line message, never a crash, and decoded parts without
 * control octets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sv_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sv_req r;
	char msg[256];
	char *t;
	int st;

	if (size > 2 * SV_TARGET_MAX || (t = malloc(size + 1)) == NULL)
		return 0;
	memcpy(t, data, size);
	t[size] = '\0';
	st = sv_req_parse(t, size, 1800000000, &r, msg, sizeof(msg));
	if (st != 0 && st != 400 && st != 404 && st != 414)
		abort();
	if (st == 0) {
		clean(r.value);
		clean(r.types);
		clean(r.bailiwick);
		clean(r.ip);
		clean(r.sensor);
		if (r.limit_set && r.limit > UINT64_MAX / 2)
			abort();
	} else
		clean(msg);
	free(t);
	return 0;
}
