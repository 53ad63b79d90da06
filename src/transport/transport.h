/*
 * transport.h - endpoint addresses and the parallel exchange engine.
 *
 * Owns: turning an endpoint spec into socket addresses, and running many
 * request/reply exchanges at once in one poll() loop over non-blocking
 * sockets. An exchange is: connect, write the request, shutdown(SHUT_WR),
 * read until EOF (the wire rule of HAProxy's CLI, worker and master alike).
 *
 * Must never: look inside the bytes it moves, print, sleep in a blocking
 * call, or let one slow peer delay another beyond its own deadline.
 */
#ifndef HAP_TRANSPORT_H
#define HAP_TRANSPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "haproxyadmin.h"
#include "util/buf.h"

enum hap_addr_kind {
	HAP_ADDR_UNIX = 0,
	HAP_ADDR_TCP,
};

struct hap_addr {
	enum hap_addr_kind kind;
	int master;     /* 1: a master CLI (spec "master:...") */
	char name[160]; /* display name: "/run/haproxy/admin.sock" (the path as given),
	                   "tcp:127.0.0.1:9999" */
	struct sockaddr_storage ss;
	socklen_t sslen;
	/* Not usable (a socket found in a directory whose path does not fit
	 * sun_path): kept so it is reported by name instead of dropped;
	 * hap_addr_why() says why (invalid_len: the path's length). Never
	 * passed to hap_exchange_run(). */
	int invalid;
	size_t invalid_len;
};

/* Why address a is invalid, into buf (n bytes): "" when it is not. */
void hap_addr_why(const struct hap_addr *a, char *buf, size_t n);

/*
 * Parse one endpoint spec into addresses appended to *addrs (realloc'd;
 * *n updated). Accepted specs:
 *   /path/to/sock or unix:/path   a UNIX socket (a missing one is kept: its
 *                                 connect fails and it is reported per instance)
 *   /path/to/dir                  every UNIX socket in it, sorted by name,
 *                                 other files ignored (none is an error)
 *   tcp:HOST:PORT                 IPv4 literal or [IPv6]:PORT, numeric port
 *   master:PATH, master:unix:PATH, master:tcp:HOST:PORT   a master CLI
 * A path too long for sun_path is HAP_EINVAL. Errors fill err (may be NULL).
 * Caller owns *addrs, free with free().
 */
int hap_addr_expand(struct hap_addr **addrs, size_t *n, const char *spec, struct hap_error *err);

/* Parse exactly one address (no directory expansion). */
int hap_addr_parse(struct hap_addr *out, const char *spec, struct hap_error *err);

struct hap_xopts {
	int timeout_ms;   /* deadline of one exchange, all attempts included; default 2000 */
	int retries;      /* extra connect attempts after a failed connect; default 1 */
	int parallel;     /* at most this many sockets open at once; default 64 */
	int per_addr;     /* at most this many open at once to one address; default 4 */
	size_t max_reply; /* cap on one reply; default 256 MiB */
	size_t max_total; /* cap on all replies of one run together; default none */
	/* bytes of earlier runs' replies the caller still holds, counted against
	 * max_total too (the fleet handle's budget across the rounds of one
	 * command); NULL: none. Read only. */
	const size_t *held;
	int64_t end_us; /* hap_now_us() past which no exchange may run; 0: none */
};

struct hap_job {
	/* inputs, borrowed: must stay valid during hap_exchange_run() */
	const struct hap_addr *addr;
	const char *req;
	size_t req_len;
	int no_shut; /* do not half-close after the request: it ends the session
	                itself ("quit" in prompt mode, where HAProxy may drop
	                lines still queued behind a half-close) */
	/* Optional: called from the exchange loop each time bytes were added
	 * to reply while the exchange runs (reply.ptr may have moved since the
	 * last call), so a caller can index what arrived while other peers are
	 * still sending. It must not keep pointers into reply across calls nor
	 * change the job, except to drop bytes it has used: it may shorten
	 * reply (len, the NUL kept), so a reply that is only filtered is never
	 * held whole. The caps count what is held; the exchange itself never
	 * looks at the bytes. */
	void (*on_bytes)(struct hap_job *j, void *arg);
	void *on_bytes_arg;
	/* outputs */
	struct hap_buf reply; /* the bytes received (capped); caller releases */
	int err;              /* 0, or HAP_E* for this exchange */
	int sys_errno;        /* errno behind err, when there is one */
	char *errmsg;         /* NULL, or one line without the address, e.g. "connection
	                         refused" (read it with hap_job_msg(); allocated only on
	                         error: 1,000 jobs held 200 bytes each for it) */
	size_t req_sent;      /* request bytes the peer accepted (a write may have run) */
	size_t received;      /* reply bytes received, those on_bytes dropped included */
	int attempts;         /* connect attempts made */
	int64_t elapsed_us;   /* from first connect to completion */
};

/* Prepare a job (zeroes outputs). */
void hap_job_init(struct hap_job *j, const struct hap_addr *addr, const char *req, size_t len);
void hap_job_release(struct hap_job *j);

/* The job's message, "" without one. */
static inline const char *hap_job_msg(const struct hap_job *j)
{
	return j->errmsg ? j->errmsg : "";
}

/* Set (fmt NULL: clear) the job's message; out of memory, it is left
 * without one (its err still says what happened). */
void hap_job_set_msg(struct hap_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hap_job_vset_msg(struct hap_job *j, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));

/*
 * Run every job to completion, in parallel, honouring the options. Returns
 * 0 when the loop ran (each job's own err tells its outcome), or a fleet-wide
 * error (HAP_ENOMEM, HAP_EINVAL). Jobs whose reply arrived whole have err 0.
 * Error classes: ENOENT (no socket file), ECONNREFUSED (nothing behind it),
 * EACCES, ETIMEDOUT (connect or reply not done in time; EBUSY when connected
 * and nothing at all was received), ETOOBIG (reply over max_reply), EIO.
 */
int hap_exchange_run(struct hap_job *jobs, size_t n, const struct hap_xopts *opts);

/* Monotonic clock in microseconds. */
int64_t hap_now_us(void);

#endif
