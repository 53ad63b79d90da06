/*
 * exchange.c - many request/reply exchanges at once in one poll() loop.
 *
 * Owns the life of each exchange (see transport.h): wait for a free slot,
 * connect (retrying only refusals that may be transient), write the whole
 * request, half-close, read to EOF into a capped buffer, all under one
 * deadline per job on the monotonic clock, counted from its first connect.
 *
 * Must never: look at the bytes it moves, block anywhere but in poll(),
 * raise SIGPIPE (MSG_NOSIGNAL), print, or let one peer cost another job
 * more than that peer's own deadline (a slot it holds at most).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "haproxyadmin.h"
#include "error.h"
#include "transport/transport.h"
#include "util/buf.h"
#include "util/banned.h"

#define DEF_TIMEOUT_MS 2000
#define DEF_RETRIES    1
#define DEF_PARALLEL   64
#define DEF_PER_ADDR   4
#define DEF_MAX_REPLY  ((size_t)256 << 20)

#define RETRY_PAUSE_US 100000
/* Large reads straight into the reply: a 250 MB dump is ~1000 recv()s. */
#define READ_CHUNK ((size_t)256 << 10)
#define READ_FIRST ((size_t)16 << 10)
#define READ_MIN   ((size_t)4 << 10)
/* A reply its on_bytes filters (drops what it used) is read in chunks of
 * this size: the buffer stays about this large whatever the reply's size. */
#define READ_STREAM ((size_t)64 << 10)
/* Bound the work per wake-up so one fast peer cannot starve the others. */
#define READS_PER_WAKE 16

enum xstate {
	XS_WAIT = 0, /* not started: no slot, clock not running */
	XS_PAUSE,    /* between connect attempts: keeps its slot, no socket */
	XS_CONNECT,  /* non-blocking connect in progress */
	XS_XFER,     /* connected: writing the request and/or reading the reply */
	XS_DONE,
};

struct xjob {
	enum xstate st;
	int fd;
	int wr_done;  /* request sent and SHUT_WR done, or writing abandoned */
	int wr_errno; /* why writing was abandoned; reading goes on */
	size_t sent;
	size_t group; /* jobs with the same addr->name share a group */
	size_t slot;  /* index in run.active while started */
	int64_t start;
	int64_t deadline;
	int64_t wake; /* XS_PAUSE: time of the next attempt */
	int by_end;   /* deadline is the command's, not this exchange's */
};

struct run {
	struct hap_job *jobs; /* the caller's jobs */
	struct xjob *x;
	size_t n;
	size_t *group_open; /* started, unfinished jobs per group */
	size_t *active;     /* started, unfinished jobs, unordered */
	size_t nactive;
	size_t next; /* no job before it is still waiting */
	size_t ndone;
	int freed; /* a slot was freed since jobs were last started */
	int timeout_ms;
	int retries;
	size_t parallel;
	size_t per_addr;
	size_t max_reply;
	size_t max_total;   /* budget of every reply of the run together */
	size_t total;       /* bytes held by every reply of the run */
	const size_t *held; /* bytes the caller still holds from earlier runs */
	int64_t end_us;     /* the command's deadline, or INT64_MAX */
};

int64_t hap_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void hap_job_init(struct hap_job *j, const struct hap_addr *addr, const char *req, size_t len)
{
	memset(j, 0, sizeof(*j));
	j->addr = addr;
	j->req = req;
	j->req_len = len;
	hap_buf_init(&j->reply, 0);
}

void hap_job_release(struct hap_job *j)
{
	hap_buf_release(&j->reply);
	hap_job_set_msg(j, NULL);
}

void hap_job_vset_msg(struct hap_job *j, const char *fmt, va_list ap)
{
	char line[256];
	int n;

	free(j->errmsg);
	j->errmsg = NULL;
	if (!fmt)
		return;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n > 0)
		j->errmsg = strdup(line);
}

void hap_job_set_msg(struct hap_job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hap_job_vset_msg(j, fmt, ap);
	va_end(ap);
}

/* End a started job: close its socket, free its slot, record the outcome. */
static void finish(struct run *r, size_t i, int err, int sys_errno, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

static void finish(struct run *r, size_t i, int err, int sys_errno, const char *fmt, ...)
{
	struct hap_job *j = &r->jobs[i];
	struct xjob *x = &r->x[i];
	size_t last;
	va_list ap;

	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	/* a finished reply keeps what it holds, not the room it was read
	 * into: 1,000 small replies would each pin a 32 KiB chunk, and the
	 * room given back is where the next ones are read */
	if (j->reply.cap > j->reply.len + 1 + READ_MIN) {
		char *p = realloc(j->reply.ptr, j->reply.len + 1);

		if (p) {
			j->reply.ptr = p;
			j->reply.cap = j->reply.len + 1;
		}
	}
	va_start(ap, fmt);
	j->err = err;
	j->sys_errno = sys_errno;
	hap_job_vset_msg(j, fmt, ap);
	va_end(ap);
	j->elapsed_us = hap_now_us() - x->start;
	j->req_sent = x->sent;
	x->st = XS_DONE;
	r->group_open[x->group]--;
	last = r->active[--r->nactive];
	r->active[x->slot] = last;
	r->x[last].slot = x->slot;
	r->ndone++;
	r->freed = 1;
}

static void fail_errno(struct run *r, size_t i, int err, const char *what, int e)
{
	char buf[128];

	finish(r, i, err, e, "%s: %s", what, hap_errtext(e, buf, sizeof(buf)));
}

/* Refusals that a restarting or momentarily saturated peer may give. */
static int transient(int e)
{
	return e == ECONNREFUSED || e == EAGAIN || e == EWOULDBLOCK || e == ETIMEDOUT;
}

static void connect_failed(struct run *r, size_t i, int e, int64_t now)
{
	struct hap_job *j = &r->jobs[i];
	struct xjob *x = &r->x[i];

	/* A pause that would end past the deadline is pointless: report now. */
	if (transient(e) && j->attempts <= r->retries && now + RETRY_PAUSE_US < x->deadline) {
		close(x->fd);
		x->fd = -1;
		x->st = XS_PAUSE;
		x->wake = now + RETRY_PAUSE_US;
		return;
	}
	if (e == ENOENT)
		finish(r, i, HAP_ENOENT, e, "no such socket file");
	else if (e == ECONNREFUSED)
		finish(r, i, HAP_ECONNREFUSED, e, "connection refused (nothing listening)");
	else if (e == EACCES)
		finish(r, i, HAP_EACCES, e, "permission denied");
	else if (e == EAGAIN || e == EWOULDBLOCK)
		finish(r, i, HAP_EIO, e, "connect: listen queue full (socket busy)");
	else if (e == ETIMEDOUT)
		fail_errno(r, i, HAP_ETIMEDOUT, "connect", e);
	else
		fail_errno(r, i, HAP_EIO, "connect", e);
}

static void do_write(struct run *r, size_t i);

static void attempt(struct run *r, size_t i, int64_t now)
{
	const struct hap_addr *a = r->jobs[i].addr;
	struct xjob *x = &r->x[i];

	r->jobs[i].attempts++;
	x->fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		fail_errno(r, i, HAP_EIO, "socket", errno);
		return;
	}
	if (connect(x->fd, (const struct sockaddr *)&a->ss, a->sslen) == 0) {
		/* UNIX sockets usually connect at once: the request goes now,
		 * not after a poll() that could only say the socket is
		 * writable (a round of polls less per job) */
		x->st = XS_XFER;
		do_write(r, i);
		return;
	}
	/* An interrupted non-blocking connect goes on asynchronously. */
	if (errno == EINPROGRESS || errno == EINTR) {
		x->st = XS_CONNECT;
		return;
	}
	connect_failed(r, i, errno, now);
}

static void start(struct run *r, size_t i, int64_t now)
{
	struct xjob *x = &r->x[i];

	x->start = now;
	x->deadline = now + (int64_t)r->timeout_ms * 1000;
	if (x->deadline > r->end_us) {
		x->deadline = r->end_us;
		x->by_end = 1;
	}
	/* active first: finish() takes the job out of the active set */
	x->slot = r->nactive;
	r->active[r->nactive++] = i;
	r->group_open[x->group]++;
	if (now >= r->end_us) {
		/* nothing may start past the command's deadline, not even a connect */
		finish(r, i, HAP_ETIMEDOUT, ETIMEDOUT, "command deadline reached before sending");
		return;
	}
	attempt(r, i, now);
}

/*
 * Start waiting jobs in array order while slots are free. A job whose
 * address is at its per_addr limit is skipped, not waited for, so one busy
 * address does not hold up the rest. A job that fails at once frees its
 * slot again, hence the outer loop.
 */
static void start_jobs(struct run *r, int64_t now)
{
	size_t i;

	while (r->freed) {
		r->freed = 0;
		while (r->next < r->n && r->x[r->next].st != XS_WAIT)
			r->next++;
		for (i = r->next; i < r->n && r->nactive < r->parallel; i++) {
			if (r->x[i].st == XS_WAIT && r->group_open[r->x[i].group] < r->per_addr)
				start(r, i, now);
		}
	}
}

static void expire(struct run *r, size_t i)
{
	struct hap_job *j = &r->jobs[i];
	int s = r->timeout_ms / 1000, ms = r->timeout_ms % 1000;

	if (r->x[i].by_end)
		finish(r, i, j->received ? HAP_ETIMEDOUT : HAP_EBUSY, ETIMEDOUT,
		       "command deadline reached (%s, %zu bytes received)",
		       r->x[i].st == XS_CONNECT ? "connecting" : "exchanging", j->received);
	else if (r->x[i].st == XS_CONNECT)
		finish(r, i, HAP_ETIMEDOUT, ETIMEDOUT, "connect timed out after %d.%03d s", s, ms);
	else if (j->received == 0)
		finish(r, i, HAP_EBUSY, ETIMEDOUT,
		       "no reply within %d.%03d s (socket busy or hung)", s, ms);
	else
		finish(r, i, HAP_ETIMEDOUT, ETIMEDOUT,
		       "reply incomplete after %d.%03d s (%zu bytes received)", s, ms, j->received);
}

static void do_write(struct run *r, size_t i)
{
	struct hap_job *j = &r->jobs[i];
	struct xjob *x = &r->x[i];
	ssize_t w;

	while (x->sent < j->req_len) {
		w = send(x->fd, j->req + x->sent, j->req_len - x->sent, MSG_NOSIGNAL);
		if (w >= 0) {
			x->sent += (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		/* The peer may have answered what it read before closing. */
		x->wr_errno = errno;
		x->wr_done = 1;
		return;
	}
	if (!j->no_shut && shutdown(x->fd, SHUT_WR) < 0)
		x->wr_errno = errno;
	x->wr_done = 1;
}

/*
 * The peer closed (EOF), or reset the connection (e != 0). Whatever arrived
 * is the reply: EOF is the only framing there is. With nothing at all, say
 * why, the failed write first since it is usually the cause.
 */
static void ended(struct run *r, size_t i, int e)
{
	struct xjob *x = &r->x[i];

	if (r->jobs[i].received > 0)
		finish(r, i, 0, 0, NULL);
	else if (x->wr_errno)
		fail_errno(r, i, HAP_EIO, "write", x->wr_errno);
	else if (e)
		fail_errno(r, i, HAP_EIO, "read", e);
	else if (!x->wr_done)
		finish(r, i, HAP_EIO, EPIPE, "connection closed before the request was sent");
	else
		finish(r, i, 0, 0, NULL);
}

/* n more bytes of job i's reply arrived: counted, shown to its on_bytes. */
static void got_bytes(struct run *r, size_t i, size_t n)
{
	struct hap_job *j = &r->jobs[i];
	size_t held;

	j->reply.len += n;
	r->total += n;
	j->received += n;
	j->reply.ptr[j->reply.len] = '\0';
	if (!j->on_bytes)
		return;
	held = j->reply.len;
	j->on_bytes(j, j->on_bytes_arg);
	/* what it dropped is not held any more */
	if (j->reply.len < held)
		r->total -= held - j->reply.len;
}

static void do_read(struct run *r, size_t i)
{
	struct hap_buf *b = &r->jobs[i].reply;
	struct xjob *x = &r->x[i];
	size_t room, want, used;
	ssize_t got;
	char probe, *dst;
	int k, ret;

	for (k = 0; k < READS_PER_WAKE; k++) {
		room = r->max_reply - b->len;
		/* the budget of the whole command (this run, and what earlier
		 * runs' replies still hold) bounds each reply too */
		used = r->total + (r->held ? *r->held : 0);
		if (used >= r->max_total)
			room = 0;
		else if (r->max_total - used < room)
			room = r->max_total - used;
		if (room == 0) {
			/* Full: one more byte means too big, EOF means it fit exactly. */
			dst = &probe;
			want = 1;
		} else {
			if (b->cap < b->len + 1 + READ_MIN) {
				/* Grow with the reply (geometric, so no quadratic copying):
				 * a 10-byte answer costs 16 KiB, a big dump reads 256 KiB
				 * at a time. */
				want = r->jobs[i].received > b->len ? READ_STREAM
				       : b->len < READ_FIRST        ? READ_FIRST
				       : b->len < READ_CHUNK        ? b->len
				                                    : READ_CHUNK;
				ret = hap_buf_grow(b, want < room ? want : room);
				if (ret) {
					finish(r, i, ret, ENOMEM,
					       "out of memory after %zu bytes of reply", b->len);
					return;
				}
			}
			want = b->cap - b->len - 1;
			want = want < room ? want : room;
			want = want < READ_CHUNK ? want : READ_CHUNK;
			dst = b->ptr + b->len;
		}
		got = recv(x->fd, dst, want, 0);
		if (got > 0 && room == 0) {
			if (b->len >= r->max_reply)
				finish(r, i, HAP_ETOOBIG, 0, "reply larger than %zu bytes",
				       r->max_reply);
			else
				finish(r, i, HAP_ETOOBIG, 0,
				       "reply larger than %zu bytes, the budget of all "
				       "instances' replies together (%zu bytes of this one)",
				       r->max_total, b->len);
			return;
		}
		if (got > 0) {
			got_bytes(r, i, (size_t)got);
			continue;
		}
		if (got == 0) {
			ended(r, i, 0);
			return;
		}
		if (errno == EINTR) {
			k--;
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		if (errno == ECONNRESET || errno == EPIPE)
			ended(r, i, errno);
		else
			fail_errno(r, i, HAP_EIO, "read", errno);
		return;
	}
}

static void on_event(struct run *r, size_t i, short rev, int64_t now)
{
	struct xjob *x = &r->x[i];

	if (x->st == XS_CONNECT) {
		socklen_t len = sizeof(int);
		int e = 0;

		if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
			e = errno;
		if (e) {
			connect_failed(r, i, e, now);
			return;
		}
		x->st = XS_XFER;
	}
	if (!x->wr_done && (rev & (POLLOUT | POLLERR | POLLHUP)))
		do_write(r, i);
	if (rev & (POLLIN | POLLERR | POLLHUP))
		do_read(r, i);
}

/*
 * Retry paused jobs that are due, start waiting ones, end the ones past
 * their deadline. Walks the active list backwards because finish() moves
 * the last entry into the freed place.
 */
static void advance(struct run *r, int64_t now)
{
	struct xjob *x;
	size_t k;

	for (k = r->nactive; k-- > 0;) {
		x = &r->x[r->active[k]];
		if (x->st == XS_PAUSE && x->wake <= now)
			attempt(r, r->active[k], now);
	}
	start_jobs(r, now);
	for (k = r->nactive; k-- > 0;) {
		x = &r->x[r->active[k]];
		if ((x->st == XS_CONNECT || x->st == XS_XFER) && now >= x->deadline)
			expire(r, r->active[k]);
	}
	start_jobs(r, now);
}

static int poll_timeout(int64_t when, int64_t now)
{
	int64_t ms;

	if (when <= now)
		return 0;
	ms = (when - now + 999) / 1000; /* round up: waking early only spins */
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* A fleet-wide failure: every unfinished job carries it too. */
static void fail_rest(struct run *r, int err, const char *msg)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->x && r->x[i].st == XS_DONE)
			continue;
		if (r->x && r->x[i].st != XS_WAIT && r->x[i].fd >= 0)
			close(r->x[i].fd);
		r->jobs[i].err = err;
		r->jobs[i].sys_errno = 0;
		hap_job_set_msg(&r->jobs[i], "%s", msg);
	}
}

struct gkey {
	const char *name;
	size_t idx;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct gkey *)a)->name, ((const struct gkey *)b)->name);
}

/* Number the distinct addr->name values so per_addr counts are array slots. */
static int make_groups(struct run *r)
{
	struct gkey *keys;
	size_t k, g = 0;

	keys = malloc(r->n * sizeof(*keys));
	if (!keys)
		return HAP_ENOMEM;
	for (k = 0; k < r->n; k++) {
		keys[k].name = r->jobs[k].addr->name;
		keys[k].idx = k;
	}
	qsort(keys, r->n, sizeof(*keys), by_name);
	for (k = 0; k < r->n; k++) {
		if (k && strcmp(keys[k].name, keys[k - 1].name))
			g++;
		r->x[keys[k].idx].group = g;
	}
	free(keys);
	r->group_open = calloc(g + 1, sizeof(*r->group_open));
	return r->group_open ? 0 : HAP_ENOMEM;
}

/* At most as many sockets as RLIMIT_NOFILE leaves room for, keeping some
 * descriptors for the caller (stdio, files, a lock). */
static size_t clamp_parallel(size_t want)
{
	struct rlimit rl;
	size_t room;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return want;
	room = rl.rlim_cur > 32 ? (size_t)rl.rlim_cur - 16 : 1;
	return want < room ? want : room;
}

static int setup(struct run *r, struct hap_job *jobs, size_t n, const struct hap_xopts *o)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->jobs = jobs;
	r->n = n;
	if (o && (o->timeout_ms < 0 || o->parallel < 0 || o->per_addr < 0))
		return HAP_EINVAL;
	for (i = 0; i < n; i++) {
		if (!jobs[i].addr || (!jobs[i].req && jobs[i].req_len))
			return HAP_EINVAL;
	}
	r->timeout_ms = o && o->timeout_ms ? o->timeout_ms : DEF_TIMEOUT_MS;
	r->retries = !o || !o->retries ? DEF_RETRIES : o->retries < 0 ? 0 : o->retries;
	r->parallel = o && o->parallel ? (size_t)o->parallel : DEF_PARALLEL;
	r->per_addr = o && o->per_addr ? (size_t)o->per_addr : DEF_PER_ADDR;
	r->max_reply = o && o->max_reply ? o->max_reply : DEF_MAX_REPLY;
	r->max_total = o && o->max_total ? o->max_total : SIZE_MAX;
	r->held = o ? o->held : NULL;
	r->end_us = o && o->end_us ? o->end_us : INT64_MAX;
	r->parallel = clamp_parallel(r->parallel);

	r->x = calloc(n, sizeof(*r->x));
	r->active = calloc(n < r->parallel ? n : r->parallel, sizeof(*r->active));
	if (!r->x || !r->active)
		return HAP_ENOMEM;
	for (i = 0; i < n; i++) {
		struct hap_job *j = &jobs[i];

		r->x[i].fd = -1;
		j->err = 0;
		j->sys_errno = 0;
		hap_job_set_msg(j, NULL);
		j->attempts = 0;
		j->elapsed_us = 0;
		j->received = 0;
		j->reply.max = r->max_reply;
		hap_buf_reset(&j->reply);
	}
	r->freed = 1;
	return make_groups(r);
}

int hap_exchange_run(struct hap_job *jobs, size_t n, const struct hap_xopts *opts)
{
	struct pollfd *pfd = NULL;
	size_t *pjob = NULL;
	struct run r;
	int ret;

	if (n == 0)
		return 0;
	if (!jobs)
		return HAP_EINVAL;
	ret = setup(&r, jobs, n, opts);
	if (!ret) {
		pfd = calloc(n < r.parallel ? n : r.parallel, sizeof(*pfd));
		pjob = calloc(n < r.parallel ? n : r.parallel, sizeof(*pjob));
		if (!pfd || !pjob)
			ret = HAP_ENOMEM;
	}
	if (ret) {
		fail_rest(&r, ret, hap_strerror(ret));
		goto out;
	}

	for (;;) {
		int64_t now = hap_now_us(), when = INT64_MAX;
		size_t k, np = 0;
		int rc;

		advance(&r, now);
		if (r.ndone == n)
			break;
		for (k = 0; k < r.nactive; k++) {
			size_t i = r.active[k];
			struct xjob *x = &r.x[i];

			if (x->st == XS_PAUSE) {
				when = x->wake < when ? x->wake : when;
				continue;
			}
			when = x->deadline < when ? x->deadline : when;
			pfd[np].fd = x->fd;
			pfd[np].events = x->st == XS_CONNECT ? POLLOUT : POLLIN;
			if (x->st == XS_XFER && !x->wr_done)
				pfd[np].events |= POLLOUT;
			pfd[np].revents = 0;
			pjob[np++] = i;
		}
		rc = poll(pfd, (nfds_t)np, poll_timeout(when, now));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			ret = errno == ENOMEM ? HAP_ENOMEM : HAP_EINVAL;
			fail_rest(&r, ret, errno == ENOMEM ? "poll: out of memory" : "poll failed");
			break;
		}
		now = hap_now_us();
		for (k = 0; k < np; k++) {
			if (pfd[k].revents)
				on_event(&r, pjob[k], pfd[k].revents, now);
		}
	}
out:
	free(pfd);
	free(pjob);
	free(r.x);
	free(r.active);
	free(r.group_open);
	return ret;
}
