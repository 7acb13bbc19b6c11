/**
 * \file sv_web.c
 * Which embedded file a request target names. See sv_web.h.
 */
#include "sv_web.h"

#include <string.h>

const struct sv_web_file *
sv_web_find(const char *target)
{
	size_t n = strcspn(target, "?#");

	if (n == 1 && target[0] == '/')
		target = "/index.html", n = strlen(target);
	for (const struct sv_web_file *f = sv_web_files; f->path != NULL;
	    f++)
		if (strlen(f->path) == n && memcmp(f->path, target, n) == 0)
			return f;
	return NULL;
}
