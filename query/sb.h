/**
 * \file sb.h
 * A line builder for the serialisers and the output formats: appends into a fixed buffer,
 * flushing to a FILE when it fills, so printing a row costs a few memcpy
 * and one fwrite instead of a dozen fprintf calls (scans print > 1M rows/s).
 */
#ifndef RVQ_SB_H
#define RVQ_SB_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SB_SIZE 65536

struct sb {
	FILE *fp;
	size_t len;
	int err;		/**< a write failed */
	char buf[SB_SIZE];
};

/** Write out what is buffered. */
static inline void
sb_flush(struct sb *b)
{
	if (b->len > 0 && fwrite(b->buf, 1, b->len, b->fp) != b->len)
		b->err = 1;
	b->len = 0;
}

static inline void
sb_mem(struct sb *b, const char *s, size_t n)
{
	if (b->len + n > SB_SIZE) {
		sb_flush(b);
		if (n > SB_SIZE) {
			if (fwrite(s, 1, n, b->fp) != n)
				b->err = 1;
			return;
		}
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

static inline void
sb_str(struct sb *b, const char *s)
{
	sb_mem(b, s, strlen(s));
}

static inline void
sb_ch(struct sb *b, char c)
{
	if (b->len == SB_SIZE)
		sb_flush(b);
	b->buf[b->len++] = c;
}

static inline void
sb_u64(struct sb *b, uint64_t v)
{
	char t[24];
	size_t i = sizeof(t);

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	sb_mem(b, t + i, sizeof(t) - i);
}

/** A JSON member with a number: key is written as it is (",\"name\":"). */
static inline void
sb_key_u64(struct sb *b, const char *key, uint64_t v)
{
	sb_str(b, key);
	sb_u64(b, v);
}

/** s as a JSON string with quotes; control octets as \u00XX. */
void sb_json(struct sb *b, const char *s);

/** A short printf (at most 63 octets: numbers with a format). */
void sb_fmt(struct sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** s as a CSV field, quoted (RFC 4180) when it holds , " CR or LF. */
void sb_csv(struct sb *b, const char *s);

#endif
