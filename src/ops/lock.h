/*
 * lock.h - advisory locks that serialise the changes of one fleet object
 * made from this host.
 *
 * Owns: one lock file per bucket of object names (a 64-bit hash of the
 * name, 256 buckets), under $XDG_RUNTIME_DIR/haproxyadmin, else
 * /run/lock/haproxyadmin, else /tmp/haproxyadmin-UID; the holder writes
 * "PID COMMAND" into it. Buckets are taken in ascending order, so two
 * writers never wait for each other in a cycle. A change of more than a
 * few buckets takes "all.lock" exclusive instead (its record there), the
 * others hold it shared while they take their buckets: all.lock first,
 * then buckets, for everyone.
 *
 * Must never: wait past the deadline, or refuse without naming the holder.
 */
#ifndef HAP_OPS_LOCK_H
#define HAP_OPS_LOCK_H

#include <stddef.h>

#include "haproxyadmin.h"

struct hap_locks;

/* Take the locks of n object names, waiting up to wait_ms. HAP_EBUSY
 * naming the holder (pid and command) when one is still held then; other
 * errors when the lock directory cannot be used. Caller owns *out, free
 * with hap_locks_release(). */
/* How long a change may wait for its locks: the exchange deadline (-t),
 * cut to what is left of the whole command's deadline (end_us, 0 = none);
 * 0 when that deadline has passed (one try, no wait). */
int hap_locks_wait_ms(int timeout_ms, int64_t end_us);

int hap_locks_take(struct hap_locks **out, const char *const *objects, size_t n, int wait_ms,
                   struct hap_error *err);
/* Release and free; NULL is a no-op. */
void hap_locks_release(struct hap_locks *l);

#endif
