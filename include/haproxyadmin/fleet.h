/*
 * haproxyadmin/fleet.h - the fleet: endpoints and options.
 * Part of the public API; include <haproxyadmin.h> (the umbrella) or this file.
 */
#ifndef HAPROXYADMIN_FLEET_H
#define HAPROXYADMIN_FLEET_H

#include "haproxyadmin/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* The fleet: endpoints and options                                    */
/* ------------------------------------------------------------------ */

/* Options; zero means default for every field. */
struct hap_options {
	int timeout_ms;   /* deadline of one exchange with one instance; default 2000 */
	int retries;      /* extra connect attempts; default 1; negative = none */
	int parallel;     /* at most this many sockets open at once; default 64 */
	size_t max_reply; /* cap on one reply in bytes; default 256 MiB */
	unsigned flags;   /* HAP_OPT_* */
	/* total deadline of everything the fleet handle does, counted from
	 * hap_new(): no exchange runs past it; 0 = none */
	int deadline_ms;
	/* cap on the replies of all instances together, across the rounds of
	 * a command: what live snapshots of this handle keep counts; default
	 * max_reply (so N flooding peers hold max_reply, not N times it) */
	size_t max_total;
};

/* Include old workers (draining after a reload) in aggregates and writes. */
#define HAP_OPT_OLD_WORKERS 0x1u
/* Changes: do not read the state back; an accepted command is "sent". */
#define HAP_OPT_NO_VERIFY 0x2u
/* Changes: do not take the per-object lock (see README, "Concurrent writers"). */
#define HAP_OPT_NO_LOCK 0x4u

struct hap;

/* Create an empty fleet. opts may be NULL. Caller owns *out, free with hap_free(). */
HAP_API int hap_new(struct hap **out, const struct hap_options *opts);
/* Free a fleet; NULL is a no-op. */
HAP_API void hap_free(struct hap *h);

/*
 * Add an endpoint: a UNIX socket path (or unix:PATH), a directory (every
 * UNIX socket in it, sorted by name), tcp:HOST:PORT (IPv4 or [IPv6]), or
 * master:PATH / master:tcp:HOST:PORT (a master CLI: its workers become
 * instances). Nothing is sent. HAP_EINVAL / HAP_ENOENT with a message in err.
 */
HAP_API int hap_add_endpoint(struct hap *h, const char *spec, struct hap_error *err);
/*
 * Check a proxy or server name against HAProxy's charset (letters, digits,
 * '-', '_', '.', ':'); what names it in the message ("backend"). 0 or
 * HAP_EINVAL. Every function that sends a name checks it too.
 */
HAP_API int hap_name_check(const char *what, const char *name, struct hap_error *err);
/*
 * The one number parser of the library and the CLI. hap_number_parse: a
 * whole decimal integer (an optional sign, then digits; no blank, hex or
 * exponent). hap_decimal_parse: digits with at most one '.' ("1.5"; no sign,
 * exponent, inf or nan). 0 when the number is within [lo, hi]; HAP_EINVAL
 * when s is not such a number, HAP_ERANGE when it is out of range (*out is
 * set only on success).
 */
HAP_API int hap_number_parse(int64_t *out, const char *s, int64_t lo, int64_t hi);
HAP_API int hap_decimal_parse(double *out, const char *s, double lo, double hi);
HAP_API size_t hap_endpoint_count(const struct hap *h);
/* Borrowed; valid until hap_free(). */
HAP_API const char *hap_endpoint_name(const struct hap *h, size_t i);

#ifdef __cplusplus
}
#endif
#endif
