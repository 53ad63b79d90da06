/*
 * lock.c - per-object advisory locks (see lock.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "haproxyadmin.h"
#include "error.h"
#include "ops/lock.h"
#include "transport/transport.h"
#include "util/banned.h"

#define NBUCKETS 256
/* The holder's record: one line padded to a fixed size, overwritten in
 * place (a change of 8,000 objects takes every bucket: truncating and
 * growing 256 files twice was ~10 ms on ext4); a free lock holds a blank
 * record. */
#define RECLEN 400

/* A change of more buckets than this takes the whole directory at once:
 * "all.lock" exclusive, no bucket (an 8,000-object change took all 256,
 * 1,300 system calls). The others hold "all.lock" shared while they take
 * their buckets, so either way two changes of one object meet. */
#define MANY_BUCKETS 16

struct hap_locks {
	size_t n;
	int all;     /* all.lock, held shared, or exclusive (all_rec: our record in it) */
	int all_rec; /* 1: we hold every bucket through all.lock */
	int fd[NBUCKETS];
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static int lock_dir(char *out, size_t len)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	char cand[3][512];
	int i;

	snprintf(cand[0], sizeof(cand[0]), "%s/haproxyadmin", x && *x == '/' ? x : "");
	snprintf(cand[1], sizeof(cand[1]), "/run/lock/haproxyadmin");
	snprintf(cand[2], sizeof(cand[2]), "/tmp/haproxyadmin-%lu", (unsigned long)getuid());
	for (i = x && *x == '/' ? 0 : 1; i < 3; i++) {
		struct stat st;

		if (mkdir(cand[i], 0700) < 0 && errno != EEXIST)
			continue;
		if (stat(cand[i], &st) < 0 || !S_ISDIR(st.st_mode) || access(cand[i], W_OK) < 0)
			continue;
		snprintf(out, len, "%s", cand[i]);
		return 0;
	}
	return -1;
}

static void holder(int fd, char *out, size_t len)
{
	ssize_t n = pread(fd, out, len - 1, 0);
	size_t i;

	if (n <= 0) {
		snprintf(out, len, "unknown holder");
		return;
	}
	out[n] = '\0';
	for (i = 0; out[i]; i++)
		if (out[i] == '\n')
			out[i] = '\0';
	if (!out[0] || out[0] == ' ')
		snprintf(out, len, "unknown holder");
}

/* rec: line (one line, '\n'-ended, or "") padded with blanks to RECLEN. */
static void record(char *rec, const char *line)
{
	size_t n = strlen(line);

	if (n > RECLEN)
		n = RECLEN;
	memcpy(rec, line, n);
	memset(rec + n, ' ', RECLEN - n);
}

static void self_line(char *out, size_t len)
{
	char cmd[300];
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, cmd, sizeof(cmd) - 1) : -1;
	ssize_t i;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		n = 0;
	cmd[n] = '\0';
	for (i = 0; i + 1 < n; i++)
		if (cmd[i] == '\0')
			cmd[i] = ' ';
	snprintf(out, len, "pid %ld: %s\n", (long)getpid(), n ? cmd : "?");
}

static int cmp_u(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

int hap_locks_wait_ms(int timeout_ms, int64_t end_us)
{
	int64_t left;

	if (end_us <= 0)
		return timeout_ms;
	left = (end_us - hap_now_us()) / 1000;
	if (left <= 0)
		return 0;
	return left < timeout_ms ? (int)left : timeout_ms;
}

/* flock(fd, op) waiting until end (hap_now_us): 0, EWOULDBLOCK when still
 * held by another then, or another errno. */
static int lock_wait(int fd, int op, int64_t end)
{
	while (flock(fd, op | LOCK_NB) < 0) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (errno != EWOULDBLOCK && errno != EINTR)
			return errno;
		if (hap_now_us() >= end)
			return EWOULDBLOCK;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* The holder of a bucket of b[0, k) someone holds (all.lock taken shared by
 * a change of a few objects: its record is in its buckets), or "unknown
 * holder". */
static void bucket_holder(const char *dir, const unsigned *b, size_t k, char *who, size_t len)
{
	char path[700];
	size_t i;

	snprintf(who, len, "unknown holder");
	for (i = 0; i < k; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%03u.lock", dir, b[i]);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
			holder(fd, who, len);
			close(fd);
			return;
		}
		close(fd);
	}
}

/* Open and take lock file name in dir (op: LOCK_EX or LOCK_SH) until end:
 * 0 and its descriptor in *fdp, or an error set in err (HAP_EBUSY naming
 * the holder: the file's record, or one of the buckets b[0, k) for
 * all.lock). */
static int take_one(int *fdp, const char *dir, const char *name, int op, int64_t end,
                    const unsigned *b, size_t k, struct hap_error *err)
{
	char path[700], who[300];
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return hap_error_set(err, HAP_EIO, "lock %s: %s", path, strerror(errno));
	e = lock_wait(fd, op, end);
	if (!e) {
		*fdp = fd;
		return 0;
	}
	if (e == EWOULDBLOCK) {
		if (b && op == LOCK_EX)
			bucket_holder(dir, b, k, who, sizeof(who));
		else
			holder(fd, who, sizeof(who));
		close(fd);
		return hap_error_set(err, HAP_EBUSY,
		                     "another change of the same object is running on this host "
		                     "(%s; lock %s): nothing sent",
		                     who, path);
	}
	close(fd);
	return hap_error_set(err, HAP_EIO, "lock %s: %s", path, strerror(e));
}

/* The distinct buckets of n objects, ascending, into b: their count. */
static size_t buckets(unsigned *b, const char *const *objects, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		b[i] = (unsigned)(fnv1a(objects[i]) % NBUCKETS);
	qsort(b, n, sizeof(*b), cmp_u);
	for (i = 0; i < n; i++)
		if (!k || b[k - 1] != b[i])
			b[k++] = b[i];
	return k;
}

int hap_locks_take(struct hap_locks **out, const char *const *objects, size_t n, int wait_ms,
                   struct hap_error *err)
{
	unsigned *b = calloc(n ? n : 1, sizeof(*b));
	struct hap_locks *l = calloc(1, sizeof(*l));
	char dir[560], name[16], me[RECLEN], rec[RECLEN];
	int64_t end = hap_now_us() + (int64_t)(wait_ms > 0 ? wait_ms : 0) * 1000;
	size_t i, k;
	int ret = 0, fd = -1;

	*out = NULL;
	if (!b || !l) {
		free(b);
		free(l);
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	}
	l->all = -1;
	if (lock_dir(dir, sizeof(dir)) < 0) {
		free(b);
		free(l);
		return hap_error_set(err, HAP_EIO,
		                     "no directory for the change locks "
		                     "($XDG_RUNTIME_DIR, /run/lock, /tmp)");
	}
	k = buckets(b, objects, n);
	self_line(me, sizeof(me));
	record(rec, me);
	/* all.lock first, then the buckets in ascending order: no cycle */
	ret = take_one(&l->all, dir, "all.lock", k > MANY_BUCKETS ? LOCK_EX : LOCK_SH, end, b, k,
	               err);
	if (!ret && k > MANY_BUCKETS) {
		if (pwrite(l->all, rec, RECLEN, 0) < 0)
			(void)0;
		l->all_rec = 1;
		k = 0;
	}
	for (i = 0; !ret && i < k; i++) {
		snprintf(name, sizeof(name), "%03u.lock", b[i]);
		ret = take_one(&fd, dir, name, LOCK_EX, end, NULL, 0, err);
		if (ret)
			break;
		if (pwrite(fd, rec, RECLEN, 0) < 0)
			(void)0;
		l->fd[l->n++] = fd;
	}
	free(b);
	if (ret) {
		hap_locks_release(l);
		return ret;
	}
	*out = l;
	return 0;
}

void hap_locks_release(struct hap_locks *l)
{
	char rec[RECLEN];
	size_t i;

	if (!l)
		return;
	record(rec, "");
	for (i = 0; i < l->n; i++) {
		/* leave the file: another writer may be waiting on it */
		if (pwrite(l->fd[i], rec, RECLEN, 0) < 0)
			(void)0;
		close(l->fd[i]);
	}
	if (l->all_rec && pwrite(l->all, rec, RECLEN, 0) < 0)
		(void)0;
	if (l->all >= 0)
		close(l->all);
	free(l);
}
