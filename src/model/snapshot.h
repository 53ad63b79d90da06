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
 * A row filter of a "show servers state" read: 1 to keep the row of server
 * srv (sl bytes, not NUL-terminated) in backend be (bl bytes).
 */
typedef int (*hap_snap_keep_fn)(void *arg, const char *be, size_t bl, const char *srv, size_t sl);

/*
 * hap_snapshot_new_proxy() of HAP_SNAP_SERVERS | HAP_SNAP_SRVSTATE that
 * keeps only the rows keep(arg, ...) keeps (keep NULL: every row), dropped
 * as the bytes arrive: the snapshot holds the kept rows, never the whole
 * listing. For a plan that names its servers: 80,000 rows read, the 8,000
 * it changes kept.
 */
int hap_snapshot_new_keep(struct hap_snapshot **out, struct hap *h, unsigned what,
                          const char *proxy, hap_snap_keep_fn keep, void *arg,
                          struct hap_error *err);

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
/* The same through the row filter keep of hap_snapshot_new_keep(). */
int hap_snapshot_from_chunks_keep(struct hap_snapshot **out, const char *const *names,
                                  const char *const *replies, const size_t *lens, size_t n,
                                  unsigned what, size_t chunk, hap_snap_keep_fn keep, void *arg,
                                  struct hap_error *err);

/* 0 when at least one instance answered and counts; else HAP_EIO, "no
 * instance reachable (INSTANCE: why)" naming the first that failed. The one
 * such path of every write and read plan. */
int hap_snapshot_reachable(const struct hap_snapshot *s, struct hap_error *err);

#endif
