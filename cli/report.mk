# `rearview report fastflux|tunnel`: the command and its output formats;
# the computation is the query engine's (query/rvq_report.h).
librvcli_la_SOURCES += report.c report.h report_out.c report_html.c watch.c
librvcli_la_CFLAGS += $(PSL_CFLAGS)
librvcli_la_LIBADD += $(PSL_LIBS) -lm
man1_MANS += $(top_srcdir)/man/rearview-report.1
# The nightly wrapper the systemd unit and the cron line run.
bin_SCRIPTS = $(top_srcdir)/contrib/rearview-report-nightly
