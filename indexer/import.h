/**
 * \file import.h
 * Newline-delimited JSON import: passive DNS Common Output Format
 * (rrname, rrtype, rdata, time_first, time_last, count, bailiwick,
 * sensor_id) and DNSDB style (zone_time_first/zone_time_last too), also
 * as DNSDB SAF lines ({"obj":{...}} between {"cond":...} lines), which
 * is what `rearview -o dnsdb` writes.
 */
#ifndef RVD_IMPORT_H
#define RVD_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "sensors.h"

/** Where parsed lines go. */
struct rvd_import_ctx {
	struct rvd_agg *agg;
	struct rvd_sensors *sens;	/**< NULL: every record gets default_sensor */
	struct rv_store *st;	/**< with sens: where new sensors are added */
	uint16_t default_sensor;
	/** With sens: the sensor of records without sensor_id, looked up
	 * (and added) on first use; NULL: default_sensor is used. */
	const char *default_name;
	uint8_t *buf;		/**< 64 KiB + 64 KiB scratch, owned by caller */
};

/**
 * Parse one line and merge it into ctx->agg.
 * \param err	a reason for a bad line (errsz octets)
 * \return 0, RV_ENOENT (a DNSDB SAF {"cond":...} line: nothing to import),
 *	RV_EFORMAT (not a JSON object or a field of the wrong type),
 *	RV_EINVAL (a missing field, a name not in A-labels, an unknown type,
 *	rdata that does not parse), RV_ETOOBIG, RV_ENOMEM.
 */
int rvd_import_line(struct rvd_import_ctx *ctx, const char *line, size_t len,
    char *err, size_t errsz);

#define RVD_IMPORT_BUF_SIZE (2 * 65536)

#endif
