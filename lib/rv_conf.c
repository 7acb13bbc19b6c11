/**
 * \file rv_conf.c
 * Config files of "key value" lines (rv_conf.h).
 */
#include "rv_conf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static const struct option *
find(const struct option *opts, const int *refused, const char *k)
{
	for (; opts->name != NULL; opts++)
		if (strcmp(opts->name, k) == 0)
			break;
	for (; opts->name != NULL && *refused != 0; refused++)
		if (opts->val == *refused)
			return NULL;
	return opts->name != NULL ? opts : NULL;
}

int
rv_conf_read(const char *prog, const char *path, const struct option *opts,
    const int *refused, rv_conf_fn fn, void *arg)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	unsigned lineno = 0;
	int rc = 0;

	if (f == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		const struct option *o;
		const char *why = NULL;
		char *k, *v, *hash;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "%s: %s:%u: line longer than %zu "
			    "octets\n", prog, path, lineno, sizeof(line) - 1);
			rc = -1;
			break;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		if (*(k = trim(line)) == '\0')
			continue;
		v = k + strcspn(k, " \t=");
		if (*v != '\0') {
			*v++ = '\0';
			v = trim(v);
			if (*v == '=')
				v = trim(v + 1);
		}
		if ((o = find(opts, refused, k)) == NULL) {
			fprintf(stderr, "%s: %s:%u: unknown key '%s'\n", prog,
			    path, lineno, k);
			rc = -1;
		} else if ((o->has_arg == required_argument && *v == '\0') ||
		    fn(arg, o, *v != '\0' ? v : NULL, &why) != 0) {
			fprintf(stderr, "%s: %s:%u: bad value for '%s': '%s'%s"
			    "%s\n", prog, path, lineno, k, v, why ? ": " : "",
			    why ? why : "");
			rc = -1;
		}
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		rc = -1;
	}
	fclose(f);
	return rc;
}
