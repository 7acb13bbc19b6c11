/**
 * \file cmd_backup.c
 * `rearview backup DEST`: a consistent copy of the database while
 * rearviewd goes on writing (LMDB's copy runs in a read transaction), by
 * default compacted (only the pages in use: the smallest file, and a way
 * to shed the free pages a bulk load leaves, bench/storage).
 *
 * The archive's segments (docs/ARCHIVE.md) never change: the copy gets
 * hard links to those its own meta database lists.
 *
 * The copy is written into DEST.partial-PID beside DEST and renamed to
 * DEST once it is on disk, so DEST is either a whole backup or absent;
 * then it is opened and its counters are shown. DEST must not exist.
 * Restoring is using the copy as the database: see README.
 *
 * Exit status: 0 written, 2 usage error, 3 other error (nothing left
 * behind but DEST's parent as it was).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "rv_err.h"
#include "rv_file.h"
#include "rv_time.h"
#include "run.h"

enum { OPT_NO_COMPACT = CLI_OPT_OWN };

static const struct cli_optdef backup_opts[] = {
	{ { "no-compact", no_argument, NULL, OPT_NO_COMPACT }, NULL,
	  "copy the file's pages as they are, free ones too (faster on a "
	  "file with few free pages)" },
};

static int
on_opt(int code, const char *arg, void *ctx)
{
	(void)arg;
	if (code == OPT_NO_COMPACT)
		*(int *)ctx = 0;
	return 0;
}

/* Remove a partial copy: its data.mdb, its segment links and the
 * directories. */
static void
discard(const char *tmp)
{
	char path[4300], seg[4600];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/archive", tmp);
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(seg, sizeof(seg), "%s/%s", path, de->d_name);
			(void)unlink(seg);
		}
		closedir(d);
		(void)rmdir(path);
	}
	snprintf(path, sizeof(path), "%s/data.mdb", tmp);
	(void)unlink(path);
	(void)rmdir(tmp);
}

/* Open the backup as a reader would and say what it holds. */
static int
show(const char *dest, int compact)
{
	struct rvq_db db;
	struct rvq_err err;
	struct rv_store_stats s;
	char path[4300], t[RV_TIME_STR_MAX];
	struct stat sb;
	int rc;

	if ((rc = rvq_db_open(dest, &db, &err)) != RV_OK) {
		cli_err("backup: the copy in '%s' does not open: %s", dest,
		    err.msg);
		return CLI_EXIT_ERROR;
	}
	rc = rv_store_stats_read(db.st, db.txn, &s);
	rvq_db_close(&db);
	if (rc != RV_OK) {
		cli_err("backup: the copy in '%s' cannot be read: %s", dest,
		    rv_strerror(rc));
		return CLI_EXIT_ERROR;
	}
	snprintf(path, sizeof(path), "%s/data.mdb", dest);
	if (s.last_write)
		(void)rv_time_format(s.last_write, 1, t, sizeof(t));
	else
		snprintf(t, sizeof(t), "never");
	printf("backup %s: %" PRIu64 " RRsets, %" PRIu64 " negative answers, "
	    "%" PRIu64 " observations, last write %s; data.mdb %lld octets%s\n",
	    dest, s.v[RV_STAT_RRSETS], s.v[RV_STAT_NEGATIVES],
	    s.v[RV_STAT_OBSERVATIONS], t, stat(path, &sb) == 0 ?
	    (long long)sb.st_size : -1LL, compact ? " (compacted)" : "");
	return CLI_EXIT_OK;
}

int
cmd_backup(int argc, char **argv, const struct cli_env *env)
{
	struct cli_run run;
	struct rvq_err err;
	char tmp[4200], parent[4200], missing[64];
	const char *dest, *pdir;
	struct stat sb;
	int compact = 1, rc;

	cli_run_init(&run, "backup", env);
	rc = cli_opts_parse_db(&run.opts, argc, argv, "backup [--db DIR] "
	    "[--no-compact] DEST", "Copy the database into the new directory "
	    "DEST while rearviewd goes on writing: a consistent snapshot, "
	    "compacted unless --no-compact. To restore, stop rearviewd and "
	    "use DEST as its database (README: Backup and restore).",
	    backup_opts, sizeof(backup_opts) / sizeof(backup_opts[0]), on_opt,
	    &compact);
	if (rc != CLI_EXIT_OK || run.opts.help)
		return rc;
	if (run.opts.argc != 1) {
		cli_err(run.opts.argc ? "backup: one DEST directory, not %d "
		    "arguments" : "backup: give the DEST directory to create",
		    run.opts.argc);
		return CLI_EXIT_USAGE;
	}
	dest = run.opts.argv[0];
	if (*dest == '\0' || strlen(dest) > 4000) {
		cli_err("backup: DEST must be a path of 1 to 4000 octets");
		return CLI_EXIT_USAGE;
	}
	if (lstat(dest, &sb) == 0) {
		cli_err("backup: '%s' exists; give a directory that does not",
		    dest);
		return CLI_EXIT_ERROR;
	}
	snprintf(parent, sizeof(parent), "%s", dest);
	pdir = dirname(parent);		/* points into parent */
	snprintf(tmp, sizeof(tmp), "%s.partial-%ld", dest, (long)getpid());
	if ((rc = rvq_db_open(run.opts.db, &run.db, &err)) != RV_OK) {
		cli_err("%s", err.msg);
		return CLI_EXIT_ERROR;
	}
	rvq_db_end(&run.db);	/* the copy reads in its own */
	if (mkdir(tmp, 0750) != 0) {
		cli_err("backup: cannot create '%s': %s", tmp, strerror(errno));
		rvq_db_close(&run.db);
		return CLI_EXIT_ERROR;
	}
	rc = rv_store_copy(run.db.st, tmp, compact);
	if (rc != RV_OK) {
		rvq_db_close(&run.db);
		cli_err("backup: copying '%s' into '%s' failed: %s", run.opts.db,
		    tmp, rv_strerror(rc));
		discard(tmp);
		return CLI_EXIT_ERROR;
	}
	rc = rv_archive_copy_segments(run.db.st, tmp, missing,
	    sizeof(missing));
	rvq_db_close(&run.db);
	if (rc != RV_OK) {
		cli_err("backup: linking the archive's segments into '%s' "
		    "failed: %s%s%s", tmp, rv_strerror(rc), missing[0] ?
		    " at " : "", missing);
		discard(tmp);
		return CLI_EXIT_ERROR;
	}
	if (rename(tmp, dest) != 0) {
		cli_err("backup: cannot rename '%s' to '%s': %s", tmp, dest,
		    strerror(errno));
		discard(tmp);
		return CLI_EXIT_ERROR;
	}
	if (rv_file_sync_dir(pdir) != RV_OK) {
		cli_err("backup: '%s' written, but its directory was not synced "
		    "(%s)", dest, strerror(errno));
		return CLI_EXIT_ERROR;
	}
	return show(dest, compact);
}
