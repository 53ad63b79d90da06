/*
 * test_transport.c - endpoint parsing and the parallel exchange engine.
 *
 * Exchanges run against scripted peers: fork()ed children serving a UNIX
 * socket in a mkdtemp() directory or an ephemeral 127.0.0.1 TCP port, each
 * with one behaviour (echo, delay, hang, drip, oversize, close unread...).
 * The listening socket is ready before fork() returns, so there is no
 * start-up race. Every child is killed and reaped by pid in teardown, and
 * arms alarm() so it cannot outlive a crashed test run for long.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "haproxyadmin.h"
#include "proto/frame.h"
#include "transport/transport.h"
#include "util/buf.h"
#include "util/banned.h"

#define MS 1000 /* microseconds */

/* ---------------------------------------------------------------------
 * Fixture: a temporary directory, the peers' pids, fds the test holds.
 */

struct fix {
	char dir[64];
	pid_t pids[16];
	int npids;
	int fds[16];
	int nfds;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/hap-transport-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static void rm_tree(const char *path)
{
	struct dirent *de;
	char sub[512];
	DIR *d = opendir(path);

	if (d) {
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			rm_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int teardown(void **state)
{
	struct fix *f = *state;
	int i;

	for (i = 0; i < f->npids; i++) {
		kill(f->pids[i], SIGKILL);
		while (waitpid(f->pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
	for (i = 0; i < f->nfds; i++)
		close(f->fds[i]);
	rm_tree(f->dir);
	free(f);
	return 0;
}

static void hold_fd(struct fix *f, int fd)
{
	assert_true(f->nfds < (int)(sizeof(f->fds) / sizeof(f->fds[0])));
	f->fds[f->nfds++] = fd;
}

static void path_in(const struct fix *f, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", f->dir, name);
}

/* A UNIX socket bound at <path>; listening when backlog >= 0. */
static int unix_sock(const char *path, int backlog)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (backlog >= 0)
		assert_int_equal(listen(fd, backlog), 0);
	return fd;
}

/* A socket file nobody listens on: bound, then closed. */
static void dead_sock(const char *path)
{
	close(unix_sock(path, -1));
}

/* A TCP socket bound on 127.0.0.1, ephemeral port; listening when backlog >= 0. */
static int tcp_sock(int backlog, int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	if (backlog >= 0)
		assert_int_equal(listen(fd, backlog), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void parse_ok(struct hap_addr *a, const char *spec)
{
	struct hap_error err = { 0, "" };

	if (hap_addr_parse(a, spec, &err) != 0)
		fail_msg("parse %s: %s", spec, err.msg);
}

/* ---------------------------------------------------------------------
 * Scripted peers.
 */

enum pmode {
	PM_ECHO = 0, /* read to EOF, send back what was read */
	PM_FIXED,    /* read to EOF, send text */
	PM_COUNT,    /* read to EOF, send the most connections ever open at once */
	PM_BIG,      /* read to EOF, send <big> bytes */
	PM_HANG,     /* accept, then nothing */
	PM_DRIP,     /* accept, then one byte every 50 ms, forever */
	PM_CLOSE,    /* accept and close without reading */
	PM_EARLY,    /* accept, send text, close without reading */
};

struct peer {
	enum pmode mode;
	int delay_ms;      /* between reading EOF and replying */
	const char *text;  /* PM_FIXED, PM_EARLY */
	size_t big;        /* PM_BIG */
	size_t read_chunk; /* bytes per read (0: 64 KiB) */
	int read_pause_ms; /* pause after every read: a slow reader */
};

enum cphase {
	CP_READ = 0,
	CP_DELAY,
	CP_WRITE,
	CP_HOLD,
	CP_DRIP,
};

struct pconn {
	int fd;
	enum cphase ph;
	struct hap_buf in;
	struct hap_buf out;
	size_t off;
	int64_t at;
};

#define PEER_CONNS 64

static void pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void reply_ready(struct pconn *c, const struct peer *p, int maxopen)
{
	size_t k;

	if (p->mode == PM_ECHO)
		hap_buf_add(&c->out, c->in.ptr, c->in.len);
	else if (p->mode == PM_FIXED)
		hap_buf_adds(&c->out, p->text);
	else if (p->mode == PM_COUNT)
		hap_buf_addf(&c->out, "%d\n", maxopen);
	else if (p->mode == PM_BIG && hap_buf_grow(&c->out, p->big + 26) == 0) {
		/* 'a' + i % 26 at every i, built by doubling (fast under valgrind). */
		for (k = 0; k < 26; k++)
			c->out.ptr[k] = (char)('a' + k);
		for (k = 26; k < p->big; k *= 2)
			memcpy(c->out.ptr + k, c->out.ptr, k < p->big - k ? k : p->big - k);
		c->out.len = p->big;
	}
	c->ph = CP_DELAY;
	c->at = hap_now_us() + (int64_t)p->delay_ms * MS;
}

static void drop(struct pconn *c, int *nc, int i, int *open)
{
	close(c[i].fd);
	hap_buf_release(&c[i].in);
	hap_buf_release(&c[i].out);
	c[i] = c[--*nc];
	(*open)--;
}

/* The child's whole life: serve <lfd> as <p> says until killed. */
static void peer_main(int lfd, const struct peer *p)
{
	struct pconn c[PEER_CONNS];
	struct pollfd pfd[PEER_CONNS + 1];
	int nc = 0, open = 0, maxopen = 0, i, fd;
	size_t chunk = p->read_chunk ? p->read_chunk : 64 << 10;
	char *rbuf = malloc(chunk);

	alarm(30);
	if (!rbuf)
		_exit(1);
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	for (;;) {
		int64_t now = hap_now_us(), when = now + 1000 * MS;
		int timeout;

		pfd[0].fd = nc < PEER_CONNS ? lfd : -1;
		pfd[0].events = POLLIN;
		for (i = 0; i < nc; i++) {
			pfd[i + 1].fd = c[i].fd;
			pfd[i + 1].events = c[i].ph == CP_READ    ? POLLIN
			                    : c[i].ph == CP_WRITE ? POLLOUT
			                                          : 0;
			if ((c[i].ph == CP_DELAY || c[i].ph == CP_DRIP) && c[i].at < when)
				when = c[i].at;
		}
		timeout = when > now ? (int)((when - now + 999) / 1000) : 0;
		if (poll(pfd, (nfds_t)nc + 1, timeout) < 0 && errno != EINTR)
			_exit(1);
		now = hap_now_us();

		for (i = nc; i-- > 0;) {
			struct pconn *k = &c[i];
			short rev = pfd[i + 1].revents;
			ssize_t got;

			if (k->ph == CP_READ && (rev & (POLLIN | POLLHUP | POLLERR))) {
				got = read(k->fd, rbuf, chunk);
				if (got > 0) {
					hap_buf_add(&k->in, rbuf, (size_t)got);
					if (p->read_pause_ms)
						pause_ms(p->read_pause_ms);
				} else if (got == 0) {
					reply_ready(k, p, maxopen);
				} else if (errno != EAGAIN && errno != EINTR) {
					drop(c, &nc, i, &open);
				}
			} else if (k->ph == CP_DELAY && now >= k->at) {
				k->ph = CP_WRITE;
			} else if (k->ph == CP_WRITE && (rev & (POLLOUT | POLLHUP | POLLERR))) {
				got = send(k->fd, k->out.ptr + k->off, k->out.len - k->off,
				           MSG_NOSIGNAL);
				if (got > 0)
					k->off += (size_t)got;
				if ((got < 0 && errno != EAGAIN && errno != EINTR) ||
				    k->off == k->out.len)
					drop(c, &nc, i, &open);
			} else if (k->ph == CP_DRIP && now >= k->at) {
				if (send(k->fd, "x", 1, MSG_NOSIGNAL) < 0 && errno != EAGAIN)
					drop(c, &nc, i, &open);
				else
					k->at += 50 * MS;
			}
		}

		if (!(pfd[0].revents & POLLIN))
			continue;
		while (nc < PEER_CONNS && (fd = accept(lfd, NULL, NULL)) >= 0) {
			struct pconn *k = &c[nc++];

			fcntl(fd, F_SETFL, O_NONBLOCK);
			memset(k, 0, sizeof(*k));
			k->fd = fd;
			hap_buf_init(&k->in, 0);
			hap_buf_init(&k->out, 0);
			if (++open > maxopen)
				maxopen = open;
			if (p->mode == PM_CLOSE) {
				drop(c, &nc, nc - 1, &open);
			} else if (p->mode == PM_HANG) {
				k->ph = CP_HOLD;
			} else if (p->mode == PM_DRIP) {
				k->ph = CP_DRIP;
				k->at = now;
			} else if (p->mode == PM_EARLY) {
				hap_buf_adds(&k->out, p->text);
				k->ph = CP_WRITE;
			}
		}
	}
}

static void spawn(struct fix *f, int lfd, const struct peer *p)
{
	pid_t pid;

	assert_true(f->npids < (int)(sizeof(f->pids) / sizeof(f->pids[0])));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		peer_main(lfd, p); /* never returns */
	close(lfd);
	f->pids[f->npids++] = pid;
}

/* A peer on a new UNIX socket <name> in the fixture directory; its address in *a. */
static void peer_unix(struct fix *f, const char *name, const struct peer *p, struct hap_addr *a)
{
	char path[128];

	path_in(f, name, path, sizeof(path));
	spawn(f, unix_sock(path, 64), p);
	parse_ok(a, path);
}

static void peer_tcp(struct fix *f, const struct peer *p, struct hap_addr *a)
{
	char spec[64];
	int port, fd = tcp_sock(64, &port);

	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%d", port);
	spawn(f, fd, p);
	parse_ok(a, spec);
}

static void release_all(struct hap_job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		hap_job_release(&jobs[i]);
}

static void check_msg(const char *msg)
{
	size_t len = strlen(msg);

	assert_true(len > 0);
	assert_true(msg[0] < 'A' || msg[0] > 'Z');
	assert_null(strchr(msg, '\n'));
	assert_true(msg[len - 1] != '.');
}

/* ---------------------------------------------------------------------
 * Addresses.
 */

static void test_parse_forms(void **state)
{
	static const struct {
		const char *spec;
		enum hap_addr_kind kind;
		int master;
		const char *name;
	} t[] = {
		{ "/run/haproxy/admin.sock", HAP_ADDR_UNIX, 0, "/run/haproxy/admin.sock" },
		{ "unix:/run/haproxy/admin.sock", HAP_ADDR_UNIX, 0, "/run/haproxy/admin.sock" },
		{ "./admin.sock", HAP_ADDR_UNIX, 0, "./admin.sock" },
		{ "admin.sock", HAP_ADDR_UNIX, 0, "admin.sock" },
		{ "unix:run/admin.sock", HAP_ADDR_UNIX, 0, "run/admin.sock" },
		{ "tcp:127.0.0.1:9999", HAP_ADDR_TCP, 0, "tcp:127.0.0.1:9999" },
		{ "tcp:10.1.2.3:1", HAP_ADDR_TCP, 0, "tcp:10.1.2.3:1" },
		{ "tcp:10.1.2.3:65535", HAP_ADDR_TCP, 0, "tcp:10.1.2.3:65535" },
		{ "tcp:10.1.2.3:08080", HAP_ADDR_TCP, 0, "tcp:10.1.2.3:8080" },
		{ "tcp:[::1]:9999", HAP_ADDR_TCP, 0, "tcp:[::1]:9999" },
		{ "tcp:[0:0:0:0:0:0:0:1]:80", HAP_ADDR_TCP, 0, "tcp:[::1]:80" },
		{ "tcp:[2001:DB8::A]:80", HAP_ADDR_TCP, 0, "tcp:[2001:db8::a]:80" },
		{ "master:/run/haproxy/master.sock", HAP_ADDR_UNIX, 1,
		  "master:/run/haproxy/master.sock" },
		{ "master:unix:/run/m.sock", HAP_ADDR_UNIX, 1, "master:/run/m.sock" },
		{ "master:tcp:127.0.0.1:9998", HAP_ADDR_TCP, 1, "master:tcp:127.0.0.1:9998" },
		{ "master:tcp:[::1]:9998", HAP_ADDR_TCP, 1, "master:tcp:[::1]:9998" },
	};
	struct hap_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		parse_ok(&a, t[i].spec);
		assert_int_equal(a.kind, t[i].kind);
		assert_int_equal(a.master, t[i].master);
		assert_string_equal(a.name, t[i].name);
	}

	/* The socket addresses themselves. */
	parse_ok(&a, "unix:/run/haproxy/admin.sock");
	{
		const struct sockaddr_un *sun = (const struct sockaddr_un *)&a.ss;

		assert_int_equal(sun->sun_family, AF_UNIX);
		assert_string_equal(sun->sun_path, "/run/haproxy/admin.sock");
		assert_int_equal(a.sslen, offsetof(struct sockaddr_un, sun_path) +
		                                  strlen("/run/haproxy/admin.sock") + 1);
	}
	parse_ok(&a, "master:tcp:192.168.1.20:9999");
	{
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&a.ss;

		assert_int_equal(sin->sin_family, AF_INET);
		assert_int_equal(ntohs(sin->sin_port), 9999);
		assert_int_equal(ntohl(sin->sin_addr.s_addr), 0xc0a80114);
		assert_int_equal(a.sslen, sizeof(*sin));
	}
	parse_ok(&a, "tcp:[::1]:443");
	{
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a.ss;

		assert_int_equal(sin6->sin6_family, AF_INET6);
		assert_int_equal(ntohs(sin6->sin6_port), 443);
		assert_memory_equal(&sin6->sin6_addr, &in6addr_loopback, sizeof(in6addr_loopback));
		assert_int_equal(a.sslen, sizeof(*sin6));
	}

	/* No filesystem check: a socket may appear later. */
	parse_ok(&a, "/nonexistent/dir/for/sure.sock");
	/* err may be NULL. */
	assert_int_equal(hap_addr_parse(&a, "tcp:1.2.3.4:5", NULL), 0);
	assert_int_equal(hap_addr_parse(&a, "tcp:nope", NULL), HAP_EINVAL);
}

static void test_parse_malformed(void **state)
{
	static const char *const bad[] = {
		"unix:",
		"master:",
		"master:unix:",
		"master:master:/a.sock",
		"tcp:",
		"tcp:127.0.0.1",
		"tcp:127.0.0.1:",
		"tcp::80",
		"tcp:127.0.0.1:0",
		"tcp:127.0.0.1:65536",
		"tcp:127.0.0.1:99999999999999999999999",
		"tcp:127.0.0.1:-1",
		"tcp:127.0.0.1:+80",
		"tcp:127.0.0.1: 80",
		"tcp:127.0.0.1:80 ",
		"tcp:127.0.0.1:8o",
		"tcp:127.0.0.1:0x50",
		"tcp: 127.0.0.1:80",
		"tcp:localhost:80",
		"tcp:haproxy.example.com:80",
		"tcp:1.2.3:80",
		"tcp:256.0.0.1:80",
		"tcp:1.2.3.4.5:80",
		"tcp:::1:80",
		"tcp:[::1]",
		"tcp:[::1]:",
		"tcp:[::1]80",
		"tcp:[::1:80",
		"tcp:[]:80",
		"tcp:[127.0.0.1]:80",
		"tcp:[::1]:0",
		"tcp:[::1]:70000",
		"tcp:[fe80::1%lo]:80",
		"tcp:[::g]:80",
		"udp:127.0.0.1:80",
		"localhost:80",
		"http://127.0.0.1:80/",
	};
	struct hap_error err;
	struct hap_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.code = 0;
		err.msg[0] = '\0';
		if (hap_addr_parse(&a, bad[i], &err) != HAP_EINVAL)
			fail_msg("accepted \"%s\" as %s", bad[i], a.name);
		assert_int_equal(err.code, HAP_EINVAL);
		check_msg(err.msg);
		if (!strstr(err.msg, bad[i]))
			fail_msg("message for \"%s\" does not name it: %s", bad[i], err.msg);
		assert_string_equal(a.name, ""); /* nothing half-filled */
	}
	assert_int_equal(hap_addr_parse(&a, "", &err), HAP_EINVAL);
	check_msg(err.msg);
	assert_int_equal(hap_addr_parse(&a, NULL, &err), HAP_EINVAL);
}

static void test_parse_path_length(void **state)
{
	struct sockaddr_un sun;
	size_t max = sizeof(sun.sun_path) - 1;
	char path[300], spec[320], want[128];
	struct hap_error err;
	struct hap_addr a;

	(void)state;
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[max] = '\0'; /* the longest that fits */
	parse_ok(&a, path);
	assert_string_equal(((struct sockaddr_un *)&a.ss)->sun_path, path);
	snprintf(spec, sizeof(spec), "master:unix:%s", path);
	parse_ok(&a, spec);
	assert_int_equal(strlen(a.name), strlen("master:") + max);

	path[max] = 'a'; /* one too many */
	path[max + 1] = '\0';
	snprintf(want, sizeof(want), "socket path too long (%zu bytes, max %zu)", max + 1, max);
	assert_int_equal(hap_addr_parse(&a, path, &err), HAP_EINVAL);
	assert_int_equal(err.code, HAP_EINVAL);
	assert_non_null(strstr(err.msg, want));
	check_msg(err.msg);
	snprintf(spec, sizeof(spec), "master:unix:%s", path);
	assert_int_equal(hap_addr_parse(&a, spec, &err), HAP_EINVAL);
	assert_non_null(strstr(err.msg, want));

	path[max + 1] = 'a';
	path[200] = '\0';
	snprintf(want, sizeof(want), "socket path too long (200 bytes, max %zu)", max);
	assert_int_equal(hap_addr_parse(&a, path, &err), HAP_EINVAL);
	assert_non_null(strstr(err.msg, want));
}

static void test_expand_dir(void **state)
{
	struct fix *f = *state;
	struct hap_addr *addrs = NULL;
	struct hap_error err;
	char dir[128], p[192], want[192];
	size_t n = 0;
	FILE *fp;

	path_in(f, "run", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(p, sizeof(p), "%s/c.sock", dir);
	dead_sock(p);
	snprintf(p, sizeof(p), "%s/a.sock", dir);
	dead_sock(p);
	snprintf(p, sizeof(p), "%s/B.sock", dir);
	dead_sock(p);
	snprintf(p, sizeof(p), "%s/a.txt", dir); /* not a socket */
	fp = fopen(p, "w");
	assert_non_null(fp);
	fclose(fp);
	snprintf(p, sizeof(p), "%s/sub", dir); /* not recursed into */
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/sub/z.sock", dir);
	dead_sock(p);

	/* Appends after what is already there, sorted by strcmp. */
	assert_int_equal(hap_addr_expand(&addrs, &n, "tcp:127.0.0.1:1", &err), 0);
	assert_int_equal(hap_addr_expand(&addrs, &n, dir, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(addrs[0].name, "tcp:127.0.0.1:1");
	snprintf(want, sizeof(want), "%s/B.sock", dir);
	assert_string_equal(addrs[1].name, want);
	assert_string_equal(((struct sockaddr_un *)&addrs[1].ss)->sun_path, want);
	snprintf(want, sizeof(want), "%s/a.sock", dir);
	assert_string_equal(addrs[2].name, want);
	snprintf(want, sizeof(want), "%s/c.sock", dir);
	assert_string_equal(addrs[3].name, want);
	assert_int_equal(addrs[3].kind, HAP_ADDR_UNIX);
	assert_int_equal(addrs[3].master, 0);

	/* A trailing slash does not double; unix: works the same. */
	snprintf(p, sizeof(p), "unix:%s/", dir);
	assert_int_equal(hap_addr_expand(&addrs, &n, p, &err), 0);
	assert_int_equal(n, 7);
	snprintf(want, sizeof(want), "%s/B.sock", dir);
	assert_string_equal(addrs[4].name, want);

	/* One socket, and a master socket: one address each, never expanded. */
	snprintf(p, sizeof(p), "%s/sub/z.sock", dir);
	assert_int_equal(hap_addr_expand(&addrs, &n, p, &err), 0);
	assert_int_equal(n, 8);
	assert_string_equal(addrs[7].name, p);
	snprintf(p, sizeof(p), "master:%s/a.sock", dir);
	assert_int_equal(hap_addr_expand(&addrs, &n, p, &err), 0);
	assert_int_equal(n, 9);
	assert_string_equal(addrs[8].name, p);
	assert_int_equal(addrs[8].master, 1);
	free(addrs);
}

static void test_expand_errors(void **state)
{
	struct fix *f = *state;
	struct hap_addr *addrs = NULL;
	struct hap_error err;
	char dir[128], p[192], want[256];
	size_t n = 0;
	FILE *fp;

	path_in(f, "empty", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(p, sizeof(p), "%s/haproxy.cfg", dir);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fclose(fp);

	assert_int_equal(hap_addr_expand(&addrs, &n, dir, &err), HAP_ENOENT);
	assert_int_equal(err.code, HAP_ENOENT);
	snprintf(want, sizeof(want), "%s: no UNIX socket in directory", dir);
	assert_string_equal(err.msg, want);

	assert_int_equal(hap_addr_expand(&addrs, &n, p, &err), HAP_EINVAL);
	snprintf(want, sizeof(want), "%s: not a socket", p);
	assert_string_equal(err.msg, want);

	/* A missing socket is kept as an address: its connect fails, so it is
	 * reported as an instance like any other one that is not reached. */
	snprintf(p, sizeof(p), "%s/missing.sock", dir);
	assert_int_equal(hap_addr_expand(&addrs, &n, p, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(addrs[0].name, p);
	snprintf(p, sizeof(p), "unix:%s/missing.sock", dir);
	assert_int_equal(hap_addr_expand(&addrs, &n, p, &err), 0);
	assert_int_equal(n, 2);
	free(addrs);
	addrs = NULL;
	n = 0;

	/* A master spec naming a directory is not expanded. */
	snprintf(p, sizeof(p), "%s/m.sock", dir);
	dead_sock(p);
	snprintf(p, sizeof(p), "master:%s", dir);
	assert_int_equal(hap_addr_expand(&addrs, &n, p, &err), HAP_EINVAL);
	snprintf(want, sizeof(want), "%s: not a socket", dir);
	assert_string_equal(err.msg, want);

	assert_int_equal(hap_addr_expand(&addrs, &n, "tcp:nope:1", &err), HAP_EINVAL);
	assert_int_equal(hap_addr_expand(&addrs, &n, "tcp:nope:1", NULL), HAP_EINVAL);

	/* Nothing was appended by any failure. */
	assert_int_equal(n, 0);
	assert_null(addrs);
}

/* ---------------------------------------------------------------------
 * Exchanges.
 */

static void test_echo(void **state)
{
	static const char req[] = "show info\n";
	struct peer echo = { .mode = PM_ECHO };
	struct fix *f = *state;
	struct hap_addr a[2];
	struct hap_job jobs[2];
	size_t i;

	peer_unix(f, "echo.sock", &echo, &a[0]);
	peer_tcp(f, &echo, &a[1]);
	for (i = 0; i < 2; i++)
		hap_job_init(&jobs[i], &a[i], req, strlen(req));
	assert_int_equal(hap_exchange_run(jobs, 2, NULL), 0);
	for (i = 0; i < 2; i++) {
		/* The peer answers only after reading EOF: a reply proves the half-close. */
		assert_int_equal(jobs[i].err, 0);
		assert_string_equal(hap_job_msg(&jobs[i]), "");
		assert_int_equal(jobs[i].reply.len, strlen(req));
		assert_memory_equal(jobs[i].reply.ptr, req, strlen(req));
		assert_int_equal(jobs[i].reply.ptr[jobs[i].reply.len], '\0');
		assert_int_equal(jobs[i].attempts, 1);
		assert_true(jobs[i].elapsed_us > 0 && jobs[i].elapsed_us < 1000 * MS);
	}

	/* A job can be run again; its outputs are reset. An empty request works. */
	hap_job_release(&jobs[1]);
	hap_job_init(&jobs[1], &a[1], "", 0);
	assert_int_equal(hap_exchange_run(jobs, 2, NULL), 0);
	assert_int_equal(jobs[0].reply.len, strlen(req));
	assert_int_equal(jobs[0].attempts, 1);
	assert_int_equal(jobs[1].err, 0);
	assert_int_equal(jobs[1].reply.len, 0);
	release_all(jobs, 2);
}

static void test_delay_and_order(void **state)
{
	static const int delay[3] = { 400, 0, 200 };
	static const char *const req[3] = { "first\n", "second\n", "third\n" };
	struct fix *f = *state;
	struct hap_addr a[3];
	struct hap_job jobs[3];
	char name[32];
	size_t i;

	for (i = 0; i < 3; i++) {
		struct peer p = { .mode = PM_ECHO, .delay_ms = delay[i] };

		snprintf(name, sizeof(name), "d%zu.sock", i);
		peer_unix(f, name, &p, &a[i]);
		hap_job_init(&jobs[i], &a[i], req[i], strlen(req[i]));
	}
	assert_int_equal(hap_exchange_run(jobs, 3, NULL), 0);
	/* Results in job order whatever the completion order. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(jobs[i].err, 0);
		assert_string_equal(jobs[i].reply.ptr, req[i]);
		assert_true(jobs[i].elapsed_us >= delay[i] * MS);
		assert_true(jobs[i].elapsed_us < (delay[i] + 500) * MS);
	}
	release_all(jobs, 3);
}

static void test_parallel(void **state)
{
	struct peer slow = { .mode = PM_FIXED, .delay_ms = 300, .text = "ok\n\n" };
	struct fix *f = *state;
	struct hap_addr a[8];
	struct hap_job jobs[8];
	char name[32];
	int64_t t0, wall;
	size_t i;

	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "p%zu.sock", i);
		peer_unix(f, name, &slow, &a[i]);
		hap_job_init(&jobs[i], &a[i], "show info\n", 10);
	}
	t0 = hap_now_us();
	assert_int_equal(hap_exchange_run(jobs, 8, NULL), 0);
	wall = hap_now_us() - t0;
	for (i = 0; i < 8; i++) {
		assert_int_equal(jobs[i].err, 0);
		assert_string_equal(jobs[i].reply.ptr, "ok\n\n");
		assert_true(jobs[i].elapsed_us >= 300 * MS);
	}
	/* In sequence this would take 8 x 300 ms. */
	assert_true(wall < 1500 * MS);
	release_all(jobs, 8);
}

static void test_waiting_job_clock(void **state)
{
	struct peer slow = { .mode = PM_FIXED, .delay_ms = 300, .text = "ok\n" };
	struct hap_xopts o = { .timeout_ms = 550, .parallel = 1 };
	struct fix *f = *state;
	struct hap_addr a[2];
	struct hap_job jobs[2];
	int64_t t0, wall;

	peer_unix(f, "w0.sock", &slow, &a[0]);
	peer_unix(f, "w1.sock", &slow, &a[1]);
	hap_job_init(&jobs[0], &a[0], "x\n", 2);
	hap_job_init(&jobs[1], &a[1], "x\n", 2);
	t0 = hap_now_us();
	assert_int_equal(hap_exchange_run(jobs, 2, &o), 0);
	wall = hap_now_us() - t0;
	/* One at a time (600 ms in all), but each within its own 550 ms. */
	assert_true(wall >= 600 * MS);
	assert_int_equal(jobs[0].err, 0);
	assert_int_equal(jobs[1].err, 0);
	assert_true(jobs[1].elapsed_us < 550 * MS);
	release_all(jobs, 2);
}

static void test_hung_peer(void **state)
{
	struct peer hang = { .mode = PM_HANG }, echo = { .mode = PM_ECHO };
	struct hap_xopts o = { .timeout_ms = 800 };
	struct fix *f = *state;
	struct hap_addr a[3];
	struct hap_job jobs[3];
	size_t i;

	peer_unix(f, "hung.sock", &hang, &a[0]);
	peer_unix(f, "fine.sock", &echo, &a[1]);
	peer_tcp(f, &hang, &a[2]);
	for (i = 0; i < 3; i++)
		hap_job_init(&jobs[i], &a[i], "show stat\n", 10);
	assert_int_equal(hap_exchange_run(jobs, 3, &o), 0);

	assert_int_equal(jobs[1].err, 0);
	assert_string_equal(jobs[1].reply.ptr, "show stat\n");
	assert_true(jobs[1].elapsed_us < 400 * MS);
	for (i = 0; i < 3; i += 2) {
		assert_int_equal(jobs[i].err, HAP_EBUSY);
		assert_string_equal(hap_job_msg(&jobs[i]),
		                    "no reply within 0.800 s (socket busy or hung)");
		assert_int_equal(jobs[i].reply.len, 0);
		assert_int_equal(jobs[i].attempts, 1);
		assert_true(jobs[i].elapsed_us >= 800 * MS);
		assert_true(jobs[i].elapsed_us < 1300 * MS);
	}
	release_all(jobs, 3);
}

static void test_slow_drip(void **state)
{
	struct peer drip = { .mode = PM_DRIP };
	struct hap_xopts o = { .timeout_ms = 600 };
	struct fix *f = *state;
	struct hap_addr a;
	struct hap_job job;
	char want[200];

	peer_unix(f, "drip.sock", &drip, &a);
	hap_job_init(&job, &a, "show stat\n", 10);
	assert_int_equal(hap_exchange_run(&job, 1, &o), 0);
	assert_int_equal(job.err, HAP_ETIMEDOUT);
	assert_true(job.reply.len >= 3 && job.reply.len <= 13);
	snprintf(want, sizeof(want), "reply incomplete after 0.600 s (%zu bytes received)",
	         job.reply.len);
	assert_string_equal(hap_job_msg(&job), want);
	assert_true(job.elapsed_us >= 600 * MS && job.elapsed_us < 1100 * MS);
	hap_job_release(&job);
}

static void test_reply_cap(void **state)
{
	struct peer over = { .mode = PM_BIG, .big = 5000 };
	struct peer exact = { .mode = PM_BIG, .big = 1000 };
	struct peer huge = { .mode = PM_BIG, .big = 24 << 20 };
	struct hap_xopts o = { .max_reply = 1000 };
	struct fix *f = *state;
	struct hap_addr a[3];
	struct hap_job jobs[3];
	size_t i;

	peer_unix(f, "over.sock", &over, &a[0]);
	peer_unix(f, "exact.sock", &exact, &a[1]);
	peer_unix(f, "huge.sock", &huge, &a[2]);
	for (i = 0; i < 3; i++)
		hap_job_init(&jobs[i], &a[i], "show stat json\n", 15);
	assert_int_equal(hap_exchange_run(jobs, 2, &o), 0);
	assert_int_equal(jobs[0].err, HAP_ETOOBIG);
	assert_string_equal(hap_job_msg(&jobs[0]), "reply larger than 1000 bytes");
	assert_true(jobs[0].reply.len <= 1000);
	assert_int_equal(jobs[1].err, 0);
	assert_int_equal(jobs[1].reply.len, 1000);
	assert_int_equal(jobs[1].reply.ptr[999], 'a' + 999 % 26);

	/* Tens of MB under the default cap arrive whole (generous deadline: valgrind). */
	o.max_reply = 0;
	o.timeout_ms = 20000;
	assert_int_equal(hap_exchange_run(&jobs[2], 1, &o), 0);
	assert_int_equal(jobs[2].err, 0);
	assert_int_equal(jobs[2].reply.len, 24 << 20);
	for (i = 0; i < jobs[2].reply.len; i += 4099)
		assert_int_equal(jobs[2].reply.ptr[i], 'a' + i % 26);
	release_all(jobs, 3);
}

/* The command's deadline (end_us) cuts an exchange whose own -t is longer,
 * and a job that would start past it is never sent. */
static void test_command_deadline(void **state)
{
	struct peer hang = { .mode = PM_HANG };
	struct hap_xopts o = { .timeout_ms = 10000, .parallel = 1 };
	struct fix *f = *state;
	struct hap_addr a[2];
	struct hap_job jobs[2];
	int64_t t0;
	size_t i;

	peer_unix(f, "hung1.sock", &hang, &a[0]);
	peer_unix(f, "hung2.sock", &hang, &a[1]);
	for (i = 0; i < 2; i++)
		hap_job_init(&jobs[i], &a[i], "show stat\n", 10);
	t0 = hap_now_us();
	o.end_us = t0 + 300 * MS;
	assert_int_equal(hap_exchange_run(jobs, 2, &o), 0);
	assert_true(hap_now_us() - t0 < 1000 * MS);
	assert_int_equal(jobs[0].err, HAP_EBUSY);
	assert_non_null(strstr(hap_job_msg(&jobs[0]), "command deadline reached"));
	/* one slot: the second job waited for it until the deadline had passed */
	assert_int_equal(jobs[1].err, HAP_ETIMEDOUT);
	assert_string_equal(hap_job_msg(&jobs[1]), "command deadline reached before sending");
	assert_int_equal(jobs[1].attempts, 0);
	release_all(jobs, 2);
}

/* max_total bounds the replies of every job of a run together. */
static void test_total_budget(void **state)
{
	struct peer big = { .mode = PM_BIG, .big = 6000 };
	struct hap_xopts o = { .max_reply = 10000, .max_total = 8000 };
	struct fix *f = *state;
	struct hap_addr a[3];
	struct hap_job jobs[3];
	size_t i, total = 0, over = 0;

	peer_unix(f, "b1.sock", &big, &a[0]);
	peer_unix(f, "b2.sock", &big, &a[1]);
	peer_unix(f, "b3.sock", &big, &a[2]);
	for (i = 0; i < 3; i++)
		hap_job_init(&jobs[i], &a[i], "show stat\n", 10);
	assert_int_equal(hap_exchange_run(jobs, 3, &o), 0);
	for (i = 0; i < 3; i++) {
		total += jobs[i].reply.len;
		if (jobs[i].err == HAP_ETOOBIG) {
			over++;
			assert_non_null(
			        strstr(hap_job_msg(&jobs[i]), "all instances' replies together"));
		}
	}
	assert_true(total <= 8000);
	assert_true(over >= 2);
	release_all(jobs, 3);
}

static void test_refused(void **state)
{
	struct hap_xopts o = { .retries = 2, .timeout_ms = 2000 };
	struct fix *f = *state;
	struct hap_addr a[2];
	struct hap_job job;
	char path[128], spec[64];
	int port;

	path_in(f, "dead.sock", path, sizeof(path));
	dead_sock(path);
	parse_ok(&a[0], path);

	hap_job_init(&job, &a[0], "show info\n", 10);
	assert_int_equal(hap_exchange_run(&job, 1, &o), 0);
	assert_int_equal(job.err, HAP_ECONNREFUSED);
	assert_int_equal(job.sys_errno, ECONNREFUSED);
	assert_string_equal(hap_job_msg(&job), "connection refused (nothing listening)");
	assert_int_equal(job.attempts, 3);
	/* Two 100 ms pauses between three attempts, none after the last. */
	assert_true(job.elapsed_us >= 200 * MS && job.elapsed_us < 300 * MS);

	o.retries = 0; /* the default: one retry */
	assert_int_equal(hap_exchange_run(&job, 1, &o), 0);
	assert_int_equal(job.attempts, 2);
	o.retries = -1; /* no retry */
	assert_int_equal(hap_exchange_run(&job, 1, &o), 0);
	assert_int_equal(job.attempts, 1);
	assert_true(job.elapsed_us < 50 * MS);

	/* The deadline covers every attempt: no pause that would end past it. */
	o.retries = 10;
	o.timeout_ms = 250;
	assert_int_equal(hap_exchange_run(&job, 1, &o), 0);
	assert_int_equal(job.err, HAP_ECONNREFUSED);
	assert_int_equal(job.attempts, 3);
	assert_true(job.elapsed_us < 250 * MS);

	/* TCP: a bound port that does not listen. */
	hold_fd(f, tcp_sock(-1, &port));
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%d", port);
	parse_ok(&a[1], spec);
	hap_job_release(&job);
	hap_job_init(&job, &a[1], "show info\n", 10);
	o.retries = -1;
	assert_int_equal(hap_exchange_run(&job, 1, &o), 0);
	assert_int_equal(job.err, HAP_ECONNREFUSED);
	assert_int_equal(job.attempts, 1);
	hap_job_release(&job);
}

static void test_missing(void **state)
{
	struct hap_xopts o = { .retries = 3 };
	struct fix *f = *state;
	struct hap_addr a;
	struct hap_job job;
	char path[128];

	path_in(f, "nobody-here.sock", path, sizeof(path));
	parse_ok(&a, path);
	hap_job_init(&job, &a, "show info\n", 10);
	assert_int_equal(hap_exchange_run(&job, 1, &o), 0);
	assert_int_equal(job.err, HAP_ENOENT);
	assert_int_equal(job.sys_errno, ENOENT);
	assert_string_equal(hap_job_msg(&job), "no such socket file");
	assert_int_equal(job.attempts, 1);
	assert_true(job.elapsed_us < 50 * MS);
	hap_job_release(&job);
}

static void test_backlog_full(void **state)
{
	struct hap_xopts o = { .retries = 1, .timeout_ms = 1000 };
	struct sockaddr_un sun;
	struct fix *f = *state;
	struct hap_addr a;
	struct hap_job job;
	char path[128];
	int i, fd, rc;

	/* A listener that never accepts, its queue filled by the test. */
	path_in(f, "full.sock", path, sizeof(path));
	hold_fd(f, unix_sock(path, 0));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	for (i = 0; i < 16; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
		if (rc < 0) {
			assert_int_equal(errno, EAGAIN);
			close(fd);
			break;
		}
		hold_fd(f, fd);
	}
	assert_true(i < 16);

	parse_ok(&a, path);
	hap_job_init(&job, &a, "show info\n", 10);
	assert_int_equal(hap_exchange_run(&job, 1, &o), 0);
	/* EAGAIN is retried, then reported. */
	assert_int_equal(job.err, HAP_EIO);
	assert_int_equal(job.sys_errno, EAGAIN);
	assert_int_equal(job.attempts, 2);
	assert_string_equal(hap_job_msg(&job), "connect: listen queue full (socket busy)");
	hap_job_release(&job);
}

static void test_connect_timeout(void **state)
{
	struct hap_xopts o = { .timeout_ms = 300, .retries = -1 };
	struct fix *f = *state;
	struct sockaddr_in sin;
	struct hap_addr a;
	struct hap_job job;
	char spec[64];
	int i, fd, port, lfd;

	/*
	 * A TCP listener whose accept queue is full drops SYNs: the connect
	 * stays in progress until our deadline.
	 */
	lfd = tcp_sock(0, &port);
	hold_fd(f, lfd);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	for (i = 0; i < 3; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		hold_fd(f, fd);
	}
	pause_ms(50);

	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%d", port);
	parse_ok(&a, spec);
	hap_job_init(&job, &a, "show info\n", 10);
	assert_int_equal(hap_exchange_run(&job, 1, &o), 0);
	assert_int_equal(job.err, HAP_ETIMEDOUT);
	assert_string_equal(hap_job_msg(&job), "connect timed out after 0.300 s");
	assert_true(job.elapsed_us >= 300 * MS && job.elapsed_us < 800 * MS);
	hap_job_release(&job);
}

static int max_reply_count(struct hap_job *jobs, size_t n)
{
	int max = 0, v;
	size_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(jobs[i].err, 0);
		v = (int)strtol(jobs[i].reply.ptr, NULL, 10);
		max = v > max ? v : max;
	}
	return max;
}

static void test_per_addr(void **state)
{
	struct peer count = { .mode = PM_COUNT, .delay_ms = 150 };
	struct hap_xopts o = { .per_addr = 3 };
	struct fix *f = *state;
	struct hap_addr a[2], other;
	struct hap_job jobs[10];
	size_t i;

	peer_unix(f, "count.sock", &count, &a[0]);
	a[1] = a[0]; /* another copy: limits go by name, not by pointer */
	for (i = 0; i < 8; i++)
		hap_job_init(&jobs[i], &a[i % 2], "x\n", 2);
	assert_int_equal(hap_exchange_run(jobs, 8, &o), 0);
	assert_int_equal(max_reply_count(jobs, 8), 3);

	release_all(jobs, 8);

	/* The overall limit holds across addresses too (fresh peers: counts are per life). */
	peer_unix(f, "count2.sock", &count, &a[0]);
	peer_unix(f, "count3.sock", &count, &other);
	o.per_addr = 0;
	o.parallel = 2;
	for (i = 0; i < 10; i++)
		hap_job_init(&jobs[i], i < 8 ? &a[0] : &other, "x\n", 2);
	assert_int_equal(hap_exchange_run(jobs, 10, &o), 0);
	assert_int_equal(max_reply_count(jobs, 10), 2);
	release_all(jobs, 10);
}

static void test_partial_writes(void **state)
{
	struct peer slow_reader = { .mode = PM_ECHO, .read_chunk = 4096, .read_pause_ms = 1 };
	struct hap_xopts o = { .timeout_ms = 5000 };
	struct fix *f = *state;
	size_t i, len = 1 << 20;
	struct hap_addr a;
	struct hap_job job;
	char *req = malloc(len);

	assert_non_null(req);
	for (i = 0; i < len; i++)
		req[i] = (char)(i * 7 + i / 4096);
	peer_unix(f, "slow.sock", &slow_reader, &a);
	hap_job_init(&job, &a, req, len);
	assert_int_equal(hap_exchange_run(&job, 1, &o), 0);
	assert_int_equal(job.err, 0);
	assert_int_equal(job.reply.len, len);
	assert_memory_equal(job.reply.ptr, req, len);
	hap_job_release(&job);
	free(req);
}

static void test_write_error(void **state)
{
	struct peer closer = { .mode = PM_CLOSE };
	struct peer early = { .mode = PM_EARLY, .text = "Unknown command.\n" };
	struct hap_xopts o = { .timeout_ms = 3000 };
	struct fix *f = *state;
	size_t len = 1 << 20;
	struct hap_addr a[2];
	struct hap_job jobs[2];
	char *req = calloc(1, len);

	assert_non_null(req);
	peer_unix(f, "closer.sock", &closer, &a[0]);
	peer_unix(f, "early.sock", &early, &a[1]);
	hap_job_init(&jobs[0], &a[0], req, len);
	hap_job_init(&jobs[1], &a[1], req, len);
	assert_int_equal(hap_exchange_run(jobs, 2, &o), 0);

	/* Closed unread, nothing sent back: an I/O error, at once. */
	assert_int_equal(jobs[0].err, HAP_EIO);
	assert_true(jobs[0].sys_errno == EPIPE || jobs[0].sys_errno == ECONNRESET);
	check_msg(hap_job_msg(&jobs[0]));
	assert_true(jobs[0].elapsed_us < 1000 * MS);

	/* Closed unread after answering: the answer is the reply. */
	assert_int_equal(jobs[1].err, 0);
	assert_string_equal(jobs[1].reply.ptr, "Unknown command.\n");
	assert_true(jobs[1].elapsed_us < 1000 * MS);
	release_all(jobs, 2);
	free(req);
}

static void test_job_lifecycle(void **state)
{
	struct hap_xopts bad = { .timeout_ms = -1 };
	struct hap_addr a;
	struct hap_job job, zero;

	(void)state;
	parse_ok(&a, "/nonexistent.sock");
	hap_job_init(&job, &a, "x\n", 2);
	assert_ptr_equal(job.addr, &a);
	assert_int_equal(job.req_len, 2);
	assert_int_equal(job.err, 0);
	assert_int_equal(job.reply.len, 0);
	assert_string_equal(job.reply.ptr, "");
	hap_job_release(&job); /* never run */
	hap_job_release(&job); /* twice */
	memset(&zero, 0, sizeof(zero));
	hap_job_release(&zero);

	assert_int_equal(hap_exchange_run(NULL, 0, NULL), 0);
	assert_int_equal(hap_exchange_run(NULL, 1, NULL), HAP_EINVAL);
	hap_job_init(&job, &a, "x\n", 2);
	assert_int_equal(hap_exchange_run(&job, 1, &bad), HAP_EINVAL);
	assert_int_equal(job.err, HAP_EINVAL);
	hap_job_release(&job);
	hap_job_init(&job, NULL, "x\n", 2);
	assert_int_equal(hap_exchange_run(&job, 1, NULL), HAP_EINVAL);
	hap_job_release(&job);
}

/* Prompt-mode framing: each reply ends with the '\n' before "> ". */
static void test_prompt_cut(void **state)
{
	/* prompt's own "\n", a silent success, a text reply, one cut short */
	static const char s[] = "\n> \n> No such server.\n\n> 5 (initial 1)\n\n> Empty w";
	size_t len = sizeof(s) - 1, pos = 0, end;

	(void)state;
	end = hap_prompt_cut(s, len, pos);
	assert_int_equal(end, 1);
	pos = end + 2;
	end = hap_prompt_cut(s, len, pos);
	assert_int_equal(end - pos, 1); /* "\n": a silent success */
	pos = end + 2;
	end = hap_prompt_cut(s, len, pos);
	assert_memory_equal(s + pos, "No such server.\n\n", end - pos);
	pos = end + 2;
	end = hap_prompt_cut(s, len, pos);
	assert_memory_equal(s + pos, "5 (initial 1)\n\n", end - pos);
	pos = end + 2;
	assert_int_equal(hap_prompt_cut(s, len, pos), 0); /* no prompt yet */
	/* a prompt split across reads: "\n>" without its space is not one */
	assert_int_equal(hap_prompt_cut("ok\n>", 4, 0), 0);
	assert_int_equal(hap_prompt_cut("", 0, 0), 0);
}

/* A master's prompt (reference §4): "master> " alone answers "prompt",
 * then each reply ends with the '\n' before it; flags in () or []. */
static void test_master_prompt_cut(void **state)
{
	static const char s[] = "master> \nmaster> No such server.\n\nmaster(e)> 5 (initial 1)\n\n"
	                        "master[ReloadFailed]> Empty weight string\nmaster> Can't find";
	size_t len = sizeof(s) - 1, pos = 0, end, next;

	(void)state;
	assert_int_equal(hap_master_prompt_cut(s, len, pos, &end, &next), 1);
	assert_int_equal(end, 0); /* the answer to "prompt": the prompt alone */
	assert_int_equal(next, 8);
	pos = next;
	assert_int_equal(hap_master_prompt_cut(s, len, pos, &end, &next), 1);
	assert_int_equal(end - pos, 1); /* "\n": a silent success */
	pos = next;
	assert_int_equal(hap_master_prompt_cut(s, len, pos, &end, &next), 1);
	assert_memory_equal(s + pos, "No such server.\n\n", end - pos);
	assert_memory_equal(s + end, "master(e)> ", next - end);
	pos = next;
	assert_int_equal(hap_master_prompt_cut(s, len, pos, &end, &next), 1);
	assert_memory_equal(s + pos, "5 (initial 1)\n\n", end - pos);
	assert_int_equal(next - end, strlen("master[ReloadFailed]> "));
	pos = next;
	assert_int_equal(hap_master_prompt_cut(s, len, pos, &end, &next), 1);
	assert_memory_equal(s + pos, "Empty weight string\n", end - pos); /* no blank line */
	pos = next;
	/* the routing failure closes without a prompt */
	assert_int_equal(hap_master_prompt_cut(s, len, pos, &end, &next), 0);
	/* not a prompt: a worker's, a partial one, one not at a line start */
	assert_int_equal(hap_master_prompt_cut("ok\n> ", 5, 0, &end, &next), 0);
	assert_int_equal(hap_master_prompt_cut("ok\nmaster>", 10, 0, &end, &next), 0);
	assert_int_equal(hap_master_prompt_cut("ok\nmaster(e", 12, 0, &end, &next), 0);
	assert_int_equal(hap_master_prompt_cut("x master> ", 10, 0, &end, &next), 0);
	assert_int_equal(hap_master_prompt_cut("", 0, 0, &end, &next), 0);
	assert_int_equal(hap_master_prompt_cut("ab", 2, 3, &end, &next), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_parse_forms),      T(test_parse_malformed), T(test_parse_path_length),
		T(test_expand_dir),       T(test_expand_errors),   T(test_echo),
		T(test_delay_and_order),  T(test_parallel),        T(test_waiting_job_clock),
		T(test_hung_peer),        T(test_slow_drip),       T(test_reply_cap),
		T(test_command_deadline), T(test_total_budget),    T(test_refused),
		T(test_missing),          T(test_backlog_full),    T(test_connect_timeout),
		T(test_per_addr),         T(test_partial_writes),  T(test_write_error),
		T(test_job_lifecycle),    T(test_prompt_cut),      T(test_master_prompt_cut),
	};

	/* SIGPIPE keeps its default action: a send without MSG_NOSIGNAL kills the run. */
	return cmocka_run_group_tests_name("transport", tests, NULL, NULL);
}
