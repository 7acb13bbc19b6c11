/**
 * \file sv_web.h
 * The investigation page's files (web/), embedded at build time by
 * web/embed.sh and served at / without a key: they hold no data, and the
 * page asks the API with the key the analyst gives it.
 *
 * Every file goes out with a Content-Security-Policy that allows only
 * this origin's own script, style and connections (no inline script: the
 * DNS data the page shows is attacker-controlled).
 */
#ifndef SV_WEB_H
#define SV_WEB_H

#include <stddef.h>

struct sv_web_file {
	const char *path;	/**< "/app.js" */
	const char *type;	/**< its Content-Type */
	const unsigned char *data;	/**< static, never freed */
	size_t len;
};

/** The generated table, ended by a NULL path. */
extern const struct sv_web_file sv_web_files[];

/** The policy sent with every file. */
#define SV_WEB_CSP "default-src 'none'; script-src 'self'; " \
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; " \
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/**
 * The file a request target names: "/" or "/index.html" is the page; the
 * query string (the page's own state, ?q=...) is ignored.
 * \return the file, or NULL when the target is not one of them.
 */
const struct sv_web_file *sv_web_find(const char *target);

#endif
