# `rearview report fastflux|tunnel`: the report family lives in
# the CLI's library; its pure feature code is also compiled by
# tests/unit/test_report_feat.c.
librvcli_la_SOURCES += report.c report.h report_feat.h \
	report_flux.c report_tunnel.c report_allow.c \
	report_scan.c report_scan.h report_scan_ff.c \
	report_scan_tun.c report_out.c report_html.c
librvcli_la_CFLAGS += $(PSL_CFLAGS)
librvcli_la_LIBADD += $(PSL_LIBS) -lm
man1_MANS += $(top_srcdir)/man/rearview-report.1
# The nightly wrapper the systemd unit and the cron line run.
bin_SCRIPTS = $(top_srcdir)/contrib/rearview-report-nightly
