/**
 * \file rv_conf.h
 * The config files of rearviewd and `rearview serve`: one option per
 * line, "key value" or "key = value"; '#' starts a comment to the end of
 * the line. Every key is a long option name of the program's getopt
 * table, so its command line and its file cannot drift apart.
 */
#ifndef RV_CONF_H
#define RV_CONF_H

#include <getopt.h>

/**
 * Take option \p o with value \p v (NULL when the line has none; never
 * NULL for an option that requires one). \return 0, or -1 with \p *why
 * (a static string, or left NULL) saying what is wrong with the value.
 */
typedef int (*rv_conf_fn)(void *arg, const struct option *o, const char *v,
    const char **why);

/**
 * Read \p path line by line into \p fn. A key not in \p opts, or whose
 * val is one of \p refused (0-terminated: the options that make no sense
 * in a file, such as --config and --help), is unknown. The first error
 * stops the reading and is said on stderr as "PROG: PATH:LINE: ...".
 * Lines longer than 4095 octets are errors, not split.
 * \return 0, -1.
 */
int rv_conf_read(const char *prog, const char *path,
    const struct option *opts, const int *refused, rv_conf_fn fn, void *arg);

#endif
