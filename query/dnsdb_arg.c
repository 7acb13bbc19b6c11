/**
 * \file dnsdb_arg.c
 * Query arguments as DNSDB's tools write them: "NAME/TYPE[/BAILIWICK]",
 * "ADDR,LEN", "HEX/TYPE", and the paths of dnsdbq's batch files and of
 * the DNSDB API ("rrset/name/...", "rdata/ip/..."), so an analyst's
 * habits and scripts work unchanged.
 */
#include <stdio.h>
#include <string.h>

#include "exec.h"
#include "rv_err.h"

int
rvq_path(const char *path, enum rvq_kind *kind, const char **rest)
{
	static const struct {
		const char *prefix;
		enum rvq_kind kind;
	} paths[] = {
		{ "rrset/name/", RVQ_LOOKUP },
		{ "rdata/name/", RVQ_RDATA_NAME },
		{ "rdata/ip/", RVQ_RDATA_IP },
		{ "rdata/raw/", RVQ_RDATA_RAW },
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		size_t n = strlen(paths[i].prefix);
		if (strncmp(path, paths[i].prefix, n) == 0) {
			*kind = paths[i].kind;
			*rest = path + n;
			return 1;
		}
	}
	return 0;
}

/*
 * "NAME/TYPE[/BAILIWICK]": when what follows a '/' is a type list, the
 * name is what comes before it (copied to head) and the type and
 * bailiwick go into the query's own filter. A name may hold '/' itself
 * (RFC 2317's 0/25.2.0.192.in-addr.arpa), so the first '/' followed by a
 * type is the one, and an argument with none stays whole. \return 0
 * (head set, or empty when the argument has no suffix), RV_EINVAL.
 */
int
rvq_split_suffix(struct rvq_query *q, const char *arg, int bailiwick,
    char *head, size_t headsz, struct rvq_err *err)
{
	const char *slash, *t, *z = NULL;
	char types[128];
	size_t tl;

	head[0] = '\0';
	q->own = *q->f;
	for (slash = strchr(arg, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		t = slash + 1;
		z = strchr(t, '/');
		tl = z != NULL ? (size_t)(z - t) : strlen(t);
		if (tl == 0 || tl >= sizeof(types))
			continue;
		memcpy(types, t, tl);
		types[tl] = '\0';
		if (rvq_types_parse(types, q->own.types, &q->own.ntypes) ==
		    RV_OK)
			break;
	}
	if (slash == NULL)
		return RV_OK;	/* no type: a name with '/' */
	if ((size_t)(slash - arg) >= headsz) {
		rvq_errf(err, "invalid name '%s': too long", arg);
		return RV_EINVAL;
	}
	memcpy(head, arg, (size_t)(slash - arg));
	head[slash - arg] = '\0';
	if (z != NULL) {
		if (!bailiwick || strchr(z + 1, '/') != NULL ||
		    rvq_zone_arg(z + 1, q->own.zone, &q->own.zone_len) !=
		    RV_OK) {
			rvq_errf(err, "invalid '%s': want NAME/TYPE%s", arg,
			    bailiwick ? "[/BAILIWICK]" : "");
			return RV_EINVAL;
		}
	}
	q->f = &q->own;
	return RV_OK;
}
