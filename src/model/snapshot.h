/*
 * snapshot.h - what the ops layer needs of a snapshot beyond the public API:
 * the target behind each instance, to send changes to exactly the
 * processes that were read.
 */
#ifndef HAP_MODEL_SNAPSHOT_H
#define HAP_MODEL_SNAPSHOT_H

#include "haproxyadmin.h"
#include "model/fleet.h"

#include "parse/parse.h"

/* The "show acl" (is_map 0) or "show map" listing of instance i, when the
 * snapshot was taken with HAP_SNAP_ACLS / HAP_SNAP_MAPS and it answered. */
const struct hap_pat_ref_list *hap_snapshot_patterns(const struct hap_snapshot *s, size_t i,
                                                     int is_map);

/*
 * Internal mask bit, with HAP_SNAP_SERVERS: read the servers from "show
 * servers state [proxy]" instead of "show stat" (about a quarter of the
 * bytes, and cheaper for HAProxy to print). Its columns are be_name and
 * srv_name (as pxname, svname), srv_uweight (as uweight and weight: the
 * user weight), srv_iweight (as iweight), the other ones under their own
 * names: no "status", no "addr" with its port. For changes whose read-back
 * is the weight or only the process identity.
 */
#define HAP_SNAP_SRVSTATE 0x1000u

const struct hap_target *hap_snapshot_target(const struct hap_snapshot *s, size_t i);

/*
 * A snapshot built from replies already read (names[i], replies[i] of
 * lens[i] bytes: what a snapshot request with what gets from instance i),
 * without sockets: for the unit tests. The replies are copied. 0,
 * HAP_ENOMEM; an instance whose reply does not parse is failed in it.
 */
/* 0 when instance i answered, else its error code; *msg (may be NULL) gets
 * its message ("" when it answered). The library's own view of what
 * hap_snapshot_result() says. */
int hap_snapshot_inst_status(const struct hap_snapshot *s, size_t i, const char **msg);

int hap_snapshot_from_replies(struct hap_snapshot **out, const char *const *names,
                              const char *const *replies, const size_t *lens, size_t n,
                              unsigned what, struct hap_error *err);

/* The same, the replies arriving interleaved chunk bytes at a time (each
 * one moved in memory now and then), indexed as they arrive as a read
 * from sockets does; chunk 0: each whole at the end. For the unit tests:
 * any chunk gives the snapshot of hap_snapshot_from_replies(). */
int hap_snapshot_from_chunks(struct hap_snapshot **out, const char *const *names,
                             const char *const *replies, const size_t *lens, size_t n,
                             unsigned what, size_t chunk, struct hap_error *err);

/* 0 when at least one instance answered and counts; else HAP_EIO, "no
 * instance reachable (INSTANCE: why)" naming the first that failed. The one
 * such path of every write and read plan. */
int hap_snapshot_reachable(const struct hap_snapshot *s, struct hap_error *err);

#endif
