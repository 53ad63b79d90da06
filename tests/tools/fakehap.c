/*
 * fakehap.c - many cheap fake HAProxy stats sockets in one process, for the
 * scale benchmark and tests (1,000 TCP endpoints without 1,000 HAProxies).
 *
 * Usage: fakehap -d FIXTURE_DIR -n N -o SPECS_FILE [-p PIDBASE]
 *                [-s I,J,...] [-c I,J,...]
 *
 * Listens on N ephemeral TCP ports of 127.0.0.1 (one epoll loop, one
 * thread), then writes "tcp:127.0.0.1:PORT" per endpoint, one a line, to
 * SPECS_FILE (written whole, then renamed into place: its presence means
 * every port listens). Runs until killed (SIGTERM).
 *
 * Replies are captured ones: FIXTURE_DIR/index lists "COMMAND<TAB>FILE"
 * and each request line that is exactly COMMAND gets FILE's bytes (another
 * line gets HAProxy's "Unknown command" text). "show info" gets the Pid of
 * its endpoint (PIDBASE + index, 1-based) so every endpoint is a distinct
 * process to the client.
 *
 * The wire behaves like HAProxy 2.6's worker CLI (reference §1, §8):
 * non-prompt mode answers every complete line and closes once the client
 * half-closed and the replies are written; "prompt" switches to prompt
 * mode ("\n> ", then every reply followed by "> "), "quit" closes, a second
 * "prompt" answers "\n" and closes, a half-close in prompt mode closes.
 *
 * Faults, by 1-based endpoint index: -s stalls (accepts, reads, never
 * answers, never closes), -c closes early (half of the replies to the
 * first request, then a close).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LINE 4096
#define MAX_CMDS 32

enum fault {
	F_NONE = 0,
	F_STALL,
	F_CLOSE,
};

struct reply {
	char cmd[128];
	char *data;
	size_t len;
	int is_info;
};

struct endpoint {
	int fd;
	int port;
	enum fault fault;
	char *info; /* show info with this endpoint's Pid */
	size_t info_len;
};

struct conn {
	int fd;
	struct endpoint *ep;
	char in[MAX_LINE];
	size_t inlen;
	char *out;
	size_t outlen, outoff, outcap;
	int prompt, eof, closing, wantout;
};

/* what an epoll event points at: an endpoint's listener or a connection */
struct tag {
	int listener;
	void *p;
};

static struct reply replies[MAX_CMDS];
static size_t nreplies;
static const char UNKNOWN[] = "Unknown command, but maybe one of the following ones is a "
                              "better match:\n  show info                               : "
                              "report information about the running process [json|typed]\n\n";
static int epfd;

static void die(const char *msg)
{
	fprintf(stderr, "fakehap: %s%s%s\n", msg, errno ? ": " : "", errno ? strerror(errno) : "");
	exit(1);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return NULL;
	}
	p = malloc((size_t)n + 1);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return NULL;
	}
	fclose(f);
	p[n] = '\0';
	*len = (size_t)n;
	return p;
}

static void load_index(const char *dir)
{
	char path[4096], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/index", dir);
	f = fopen(path, "r");
	if (!f)
		die("cannot open the fixture index");
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');
		struct reply *r;

		if (line[0] == '#' || !tab)
			continue;
		if (nl)
			*nl = '\0';
		*tab = '\0';
		if (nreplies == MAX_CMDS || strlen(line) >= sizeof(r->cmd))
			die("fixture index too long");
		r = &replies[nreplies++];
		snprintf(r->cmd, sizeof(r->cmd), "%s", line);
		snprintf(path, sizeof(path), "%s/%s", dir, tab + 1);
		r->data = slurp(path, &r->len);
		if (!r->data) {
			fprintf(stderr, "fakehap: cannot read %s\n", path);
			exit(1);
		}
		r->is_info = strcmp(r->cmd, "show info") == 0;
	}
	fclose(f);
}

/* this endpoint's "show info": the captured one with its own Pid line */
static void make_info(struct endpoint *ep, long pid)
{
	const struct reply *r = NULL;
	const char *p, *eol;
	size_t i, head;

	for (i = 0; i < nreplies; i++)
		if (replies[i].is_info)
			r = &replies[i];
	if (!r)
		return;
	p = strstr(r->data, "\nPid: ");
	if (!p)
		return;
	p++;
	eol = strchr(p, '\n');
	if (!eol)
		return;
	head = (size_t)(p - r->data);
	ep->info = malloc(r->len + 32);
	if (!ep->info)
		die("out of memory");
	memcpy(ep->info, r->data, head);
	ep->info_len = head + (size_t)snprintf(ep->info + head, 32, "Pid: %ld", pid);
	memcpy(ep->info + ep->info_len, eol, r->len - (size_t)(eol - r->data));
	ep->info_len += r->len - (size_t)(eol - r->data);
}

static void mark(struct endpoint *eps, int n, const char *list, enum fault f)
{
	const char *p = list;

	while (*p) {
		char *end;
		long i = strtol(p, &end, 10);

		if (end == p || i < 1 || i > n)
			die("fault index out of range");
		eps[i - 1].fault = f;
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			die("bad fault list");
	}
}

static void out_add(struct conn *c, const char *p, size_t n)
{
	if (c->outlen + n > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 8192;
		char *q;

		while (cap < c->outlen + n)
			cap *= 2;
		q = realloc(c->out, cap);
		if (!q)
			die("out of memory");
		c->out = q;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
}

static void conn_close(struct conn *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
}

static void answer(struct conn *c, const char *line)
{
	const char *data = UNKNOWN;
	size_t len = sizeof(UNKNOWN) - 1, i;

	for (i = 0; i < nreplies; i++) {
		if (strcmp(line, replies[i].cmd) == 0) {
			data = replies[i].data;
			len = replies[i].len;
			if (replies[i].is_info && c->ep->info) {
				data = c->ep->info;
				len = c->ep->info_len;
			}
			break;
		}
	}
	out_add(c, data, len);
	if (c->prompt)
		out_add(c, "> ", 2);
}

/* Every complete line in the input buffer. */
static void handle_lines(struct conn *c)
{
	char *nl;

	while (!c->closing && (nl = memchr(c->in, '\n', c->inlen)) != NULL) {
		size_t n = (size_t)(nl - c->in) + 1;

		*nl = '\0';
		if (nl > c->in && nl[-1] == '\r')
			nl[-1] = '\0';
		if (c->ep->fault == F_STALL) {
			/* read and forget: never a byte back */
		} else if (strcmp(c->in, "quit") == 0) {
			c->closing = 1;
		} else if (strcmp(c->in, "prompt") == 0) {
			if (c->prompt) {
				out_add(c, "\n", 1);
				c->closing = 1;
			} else {
				c->prompt = 1;
				out_add(c, "\n> ", 3);
			}
		} else {
			answer(c, c->in);
		}
		memmove(c->in, c->in + n, c->inlen - n);
		c->inlen -= n;
	}
	if (c->ep->fault == F_CLOSE && c->outlen) {
		/* half of what was asked, then the close */
		c->outlen /= 2;
		c->closing = 1;
	}
	if (c->eof && c->ep->fault != F_STALL)
		c->closing = 1;
}

/* Write what is pending; 1 when the connection was closed. */
static int flush_out(struct conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w < 0) {
			conn_close(c);
			return 1;
		}
		c->outoff += (size_t)w;
	}
	if (c->outoff == c->outlen) {
		c->outoff = c->outlen = 0;
		if (c->closing) {
			conn_close(c);
			return 1;
		}
	}
	return 0;
}

/* Interest: input until EOF, output while some is pending. */
static void set_events(struct conn *c, struct tag *t)
{
	struct epoll_event ev = { 0 };
	int want = c->outlen > c->outoff;

	ev.events = (c->eof || c->closing ? 0 : EPOLLIN) | (want ? EPOLLOUT : 0);
	ev.data.ptr = t;
	epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void on_conn(struct tag *t, unsigned events)
{
	struct conn *c = t->p;

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		for (;;) {
			ssize_t r;

			if (c->inlen == sizeof(c->in)) {
				/* a line longer than HAProxy's buffer: drop the client */
				free(t);
				conn_close(c);
				return;
			}
			r = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
			if (r > 0) {
				c->inlen += (size_t)r;
				continue;
			}
			if (r == 0) {
				c->eof = 1;
			} else if (errno == EINTR) {
				continue;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				free(t);
				conn_close(c);
				return;
			}
			break;
		}
		handle_lines(c);
	}
	if (flush_out(c)) {
		free(t);
		return;
	}
	set_events(c, t);
}

static void on_listener(struct tag *t)
{
	struct endpoint *ep = t->p;

	for (;;) {
		struct epoll_event ev = { 0 };
		struct conn *c;
		struct tag *ct;
		int fd = accept4(ep->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN, or out of descriptors: retried on the next event */
		}
		c = calloc(1, sizeof(*c));
		ct = calloc(1, sizeof(*ct));
		if (!c || !ct)
			die("out of memory");
		c->fd = fd;
		c->ep = ep;
		ct->p = c;
		ev.events = EPOLLIN;
		ev.data.ptr = ct;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			die("epoll_ctl");
	}
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *specs = NULL, *stalls = "", *closes = "";
	struct endpoint *eps;
	struct rlimit rl;
	char tmp[4096];
	long pidbase = 100000;
	int n = 0, o, i;
	FILE *f;

	while ((o = getopt(argc, argv, "d:n:o:p:s:c:")) != -1) {
		switch (o) {
		case 'd':
			dir = optarg;
			break;
		case 'n':
			n = (int)strtol(optarg, NULL, 10);
			break;
		case 'o':
			specs = optarg;
			break;
		case 'p':
			pidbase = strtol(optarg, NULL, 10);
			break;
		case 's':
			stalls = optarg;
			break;
		case 'c':
			closes = optarg;
			break;
		default:
			fprintf(stderr,
			        "usage: fakehap -d DIR -n N -o SPECS [-p PIDBASE] [-s I,..] "
			        "[-c I,..]\n");
			return 2;
		}
	}
	if (!dir || !specs || n < 1 || n > 20000) {
		fprintf(stderr, "fakehap: -d DIR, -n N (1..20000) and -o SPECS are required\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* N listeners and as many clients at once, plus stdio and epoll */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)(2 * n + 16)) {
		fprintf(stderr,
		        "fakehap: RLIMIT_NOFILE %llu is too low for %d endpoints (need %d)\n",
		        (unsigned long long)rl.rlim_cur, n, 2 * n + 16);
		return 1;
	}
	load_index(dir);
	eps = calloc((size_t)n, sizeof(*eps));
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!eps || epfd < 0)
		die("setup");
	mark(eps, n, stalls, F_STALL);
	mark(eps, n, closes, F_CLOSE);
	for (i = 0; i < n; i++) {
		struct sockaddr_in sa = { 0 };
		socklen_t sl = sizeof(sa);
		struct epoll_event ev = { 0 };
		struct tag *t = calloc(1, sizeof(*t));

		if (!t)
			die("out of memory");
		make_info(&eps[i], pidbase + i + 1);
		eps[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (eps[i].fd < 0)
			die("socket");
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sa.sin_port = 0;
		if (bind(eps[i].fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(eps[i].fd, 128) < 0 ||
		    getsockname(eps[i].fd, (struct sockaddr *)&sa, &sl) < 0)
			die("bind/listen");
		eps[i].port = ntohs(sa.sin_port);
		t->listener = 1;
		t->p = &eps[i];
		ev.events = EPOLLIN;
		ev.data.ptr = t;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, eps[i].fd, &ev) < 0)
			die("epoll_ctl");
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", specs);
	f = fopen(tmp, "w");
	if (!f)
		die("cannot write the specs file");
	for (i = 0; i < n; i++)
		fprintf(f, "tcp:127.0.0.1:%d\n", eps[i].port);
	if (fclose(f) != 0 || rename(tmp, specs) < 0)
		die("cannot write the specs file");
	for (;;) {
		struct epoll_event evs[256];
		int k, m = epoll_wait(epfd, evs, 256, -1);

		if (m < 0 && errno == EINTR)
			continue;
		if (m < 0)
			die("epoll_wait");
		for (k = 0; k < m; k++) {
			struct tag *t = evs[k].data.ptr;

			if (t->listener)
				on_listener(t);
			else
				on_conn(t, evs[k].events);
		}
	}
}
