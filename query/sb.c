/**
 * \file sb.c
 * Escaping into a line builder: JSON strings and CSV fields.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "sb.h"

/* Has the word an octet below 0x20, a '"' or a '\\'? The classic tests
 * for "a byte less than n" and "a zero byte" (after xor with the octet
 * sought), exact as a yes or no for the word. */
static inline int
word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t high = 0x8080808080808080ull;
	uint64_t lt = (x - ones * 0x20) & ~x;
	uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');

	q = (q - ones) & ~q;
	bs = (bs - ones) & ~bs;
	return ((lt | q | bs) & high) != 0;
}

void
sb_json(struct sb *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s), i = 0, from = 0;

	sb_ch(b, '"');
	while (i < n) {
		unsigned char c;
		uint64_t x;

		if (i + 8 <= n) {	/* eight plain octets at a time */
			memcpy(&x, s + i, 8);
			if (!word_needs_escape(x)) {
				i += 8;
				continue;
			}
		}
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		sb_mem(b, s + from, i - from);
		switch (c) {
		case '"': sb_mem(b, "\\\"", 2); break;
		case '\\': sb_mem(b, "\\\\", 2); break;
		case '\n': sb_mem(b, "\\n", 2); break;
		case '\r': sb_mem(b, "\\r", 2); break;
		case '\t': sb_mem(b, "\\t", 2); break;
		default:
			sb_mem(b, "\\u00", 4);
			sb_ch(b, hex[c >> 4]);
			sb_ch(b, hex[c & 15]);
		}
		from = ++i;
	}
	sb_mem(b, s + from, n - from);
	sb_ch(b, '"');
}

void
sb_csv(struct sb *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		sb_str(b, s);
		return;
	}
	sb_ch(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_ch(b, '"');
		sb_ch(b, *s);
	}
	sb_ch(b, '"');
}

void
sb_fmt(struct sb *b, const char *fmt, ...)
{
	char t[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	sb_str(b, t);
}
