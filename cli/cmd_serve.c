/**
 * \file cmd_serve.c
 * `rearview serve`: runs the HTTP service, a program of its own
 * (rearview-serve, serve/) so that every other command starts without
 * loading libmicrohttpd and GnuTLS. It is looked for in
 * $REARVIEW_SERVE, then beside this binary's build (../serve/), then where
 * `make install` puts it.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef RV_PKGLIBEXECDIR
#define RV_PKGLIBEXECDIR "/usr/local/libexec/rearview"
#endif

int
cmd_serve(int argc, char **argv, const struct cli_env *env)
{
	char self[PATH_MAX], cand[PATH_MAX + 32];
	const char *tries[3] = { getenv("REARVIEW_SERVE"), NULL,
	    RV_PKGLIBEXECDIR "/rearview-serve" };
	ssize_t n;

	(void)env;
	(void)argc;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		char *slash;
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			snprintf(cand, sizeof(cand), "%s/../serve/rearview-serve",
			    self);
			tries[1] = cand;
		}
	}
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		if (tries[i] == NULL || tries[i][0] == '\0' ||
		    access(tries[i], X_OK) != 0)
			continue;
		argv[0] = (char *)"rearview-serve";
		execv(tries[i], argv);
		cli_err("serve: cannot run '%s': %s", tries[i],
		    strerror(errno));
		return CLI_EXIT_ERROR;
	}
	cli_err("serve: rearview-serve is not installed (looked in "
	    "$REARVIEW_SERVE and %s)", RV_PKGLIBEXECDIR);
	return CLI_EXIT_ERROR;
}
