/**
 * \file hostaddr.c
 * rvq_hostaddr.h: host names as text, distinct addresses of an RRset.
 */
#include <stdio.h>
#include <string.h>

#include "rv_err.h"
#include "rv_name.h"
#include "rv_store.h"
#include "rvq_hostaddr.h"

int
rvq_host_text(const uint8_t *wire, size_t len, char *out, size_t outsz)
{
	size_t n;

	if (rv_name_to_str(wire, len, out, outsz) != RV_OK) {
		snprintf(out, outsz, "?");
		return 0;
	}
	n = strlen(out);
	if (n > 1 && out[n - 1] == '.')
		out[--n] = '\0';
	return strchr(out, '\\') == NULL && strcmp(out, ".") != 0;
}

void
rvq_addrs_add(struct rv_ip *addr, unsigned *n, unsigned max, uint16_t type,
    const uint8_t *set, size_t set_len)
{
	size_t want = type == 1 ? 4 : type == 28 ? 16 : 0, off = 0;
	const uint8_t *rd;
	uint16_t rl;

	while (want && *n < max &&
	    rv_set_next(set, set_len, &off, &rd, &rl) == RV_OK) {
		struct rv_ip ip;
		unsigned i;

		if (rl != want)
			continue;
		memset(&ip, 0, sizeof(ip));
		ip.family = want == 4 ? 4 : 6;
		memcpy(ip.addr, rd, rl);
		for (i = 0; i < *n && memcmp(&addr[i], &ip, sizeof(ip)); i++)
			;
		if (i == *n)
			addr[(*n)++] = ip;
	}
}
