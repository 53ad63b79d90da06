/*
 * cmd_exporter.c - "exporter": the merged fleet for Prometheus.
 *
 * "exporter --listen ADDR:PORT" serves GET /metrics: one snapshot of every
 * instance per scrape (bounded by -t), rendered by prom.c. One thread, one
 * poll() loop, one client at a time (a scraper does not pipeline), HTTP/1.0
 * and 1.1 answered with "Connection: close". Without --listen, or with
 * "-o prometheus", the text is printed once (node_exporter's textfile
 * collector).
 *
 * Must never: block on a slow client (every read and write has a deadline),
 * or die of SIGPIPE when a scraper hangs up.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "prom.h"

#define CLIENT_MS 5000 /* a client has this long to send its request, and to read the answer */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One snapshot rendered; *out malloc'd. An exit status. *failed (may be
 * NULL) counts the instances that did not answer, each reported on stderr. */
static int scrape(struct cli *c, struct prom *p, char **out, size_t *len, size_t *failed)
{
	struct hap_error err = { 0, "" };
	struct hap_snapshot *s;
	double t0 = now();
	int ret = cli_fleet(c);

	if (ret)
		return ret;
	ret = hap_snapshot_new(&s, c->h, HAP_SNAP_ALL, &err);
	if (ret) {
		cli_err(c, "%s", err.msg);
		return EXIT_FAILED;
	}
	ret = prom_render(p, s, now() - t0, out, len);
	if (failed) {
		size_t i, n = hap_snapshot_instance_count(s);

		*failed = 0;
		for (i = 0; i < n; i++)
			if (hap_result_code(hap_snapshot_result(s), i)) {
				cli_err(c, "%s: %s", hap_instance_name(s, i),
				        hap_result_message(hap_snapshot_result(s), i));
				(*failed)++;
			}
	}
	hap_snapshot_free(s);
	if (ret) {
		cli_err(c, "out of memory");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int write_all(int fd, const char *p, size_t n, double deadline)
{
	while (n) {
		struct pollfd pfd = { fd, POLLOUT, 0 };
		double left = deadline - now();
		ssize_t w;

		if (left <= 0 || poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			return -1;
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void respond(int fd, const char *status, const char *ctype, const char *body, size_t len,
                    int head, double deadline)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof(hdr),
	                 "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	                 "Connection: close\r\n\r\n",
	                 status, ctype, len);

	if (write_all(fd, hdr, (size_t)n, deadline) == 0 && !head)
		write_all(fd, body, len, deadline);
}

/* Prometheus says how long it waits (X-Prometheus-Scrape-Timeout-Seconds):
 * answer a little before, else use -t. */
static void timeout_hdr(struct cli *c, const char *req, int base)
{
	static const char h[] = "\nx-prometheus-scrape-timeout-seconds:";
	const char *p;
	double secs;
	char *end;

	c->opts.timeout_ms = base;
	for (p = req; *p; p++)
		if (strncasecmp(p, h, sizeof(h) - 1) == 0)
			break;
	if (!*p)
		return;
	secs = strtod(p + sizeof(h) - 1, &end);
	if (end == p + sizeof(h) - 1 || !(secs > 0) || secs > 3600)
		return;
	/* keep a quarter for rendering and the answer, at least 100 ms */
	secs = secs * 0.75 * 1000;
	if (secs < 100)
		secs = 100;
	if (!base || secs < base)
		c->opts.timeout_ms = (int)secs;
}

static void serve(struct cli *c, struct prom *p, int fd, int base_timeout)
{
	char req[8192];
	size_t len = 0;
	double deadline = now() + CLIENT_MS / 1000.0;
	char *body = NULL, *sp, *path;
	size_t blen = 0;
	int head;

	/* the request line and headers, up to the blank line */
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		double left = deadline - now();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			return;
		r = recv(fd, req + len, sizeof(req) - 1 - len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		len += (size_t)r;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
		if (len == sizeof(req) - 1) {
			respond(fd, "431 Request Header Fields Too Large", "text/plain", "", 0, 0,
			        deadline);
			return;
		}
	}
	/* before the request line is cut up below */
	timeout_hdr(c, req, base_timeout);
	head = strncmp(req, "HEAD ", 5) == 0;
	if (strncmp(req, "GET ", 4) != 0 && !head) {
		static const char msg[] = "only GET and HEAD\n";

		respond(fd, "405 Method Not Allowed", "text/plain", msg, sizeof(msg) - 1, 0,
		        deadline);
		return;
	}
	path = req + (head ? 5 : 4);
	sp = strpbrk(path, " ?\r\n");
	if (sp)
		*sp = '\0';
	if (strcmp(path, "/") == 0) {
		static const char msg[] = "haproxyadmin exporter: metrics at /metrics\n";

		respond(fd, "200 OK", "text/plain; charset=utf-8", msg, sizeof(msg) - 1, head,
		        deadline);
		return;
	}
	if (strcmp(path, "/metrics") != 0) {
		static const char msg[] = "not found; metrics at /metrics\n";

		respond(fd, "404 Not Found", "text/plain", msg, sizeof(msg) - 1, head, deadline);
		return;
	}
	/* a fresh fleet per scrape: a directory picks up new sockets, and the
	 * scraper's own timeout bounds the snapshot when it is the shorter one */
	hap_free(c->h);
	c->h = NULL;
	c->bad_endpoints = 0;
	if (scrape(c, p, &body, &blen, NULL) != EXIT_OK) {
		static const char msg[] = "scrape failed; see the exporter's standard error\n";

		respond(fd, "503 Service Unavailable", "text/plain", msg, sizeof(msg) - 1, head,
		        now() + CLIENT_MS / 1000.0);
		return;
	}
	/* the client's own deadline starts after the snapshot */
	respond(fd, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body, blen, head,
	        now() + CLIENT_MS / 1000.0);
	free(body);
}

/* "ADDR:PORT", "[V6]:PORT" or ":PORT" (every address). */
static int listen_on(struct cli *c, const char *spec)
{
	struct addrinfo hints, *ai = NULL, *a;
	char host[256];
	const char *colon = strrchr(spec, ':'), *h = host;
	int fd = -1, one = 1, rc;
	size_t hl;

	if (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
		cli_usage(c, "exporter --listen: '%s' is not ADDR:PORT", spec);
		return -EXIT_USAGE;
	}
	hl = (size_t)(colon - spec);
	if (hl >= sizeof(host)) {
		cli_usage(c, "exporter --listen: '%s': address too long", spec);
		return -EXIT_USAGE;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		h = host + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(*h ? h : NULL, colon + 1, &hints, &ai);
	if (rc) {
		cli_usage(c, "exporter --listen %s: %s", spec, gai_strerror(rc));
		return -EXIT_USAGE;
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 16) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		cli_err(c, "exporter: cannot listen on %s: %s", spec, strerror(errno));
	freeaddrinfo(ai);
	return fd < 0 ? -EXIT_FAILED : fd;
}

static void help(void)
{
	printf("usage: haproxyadmin exporter [--listen ADDR:PORT] [--per-instance]\n\n"
	       "The merged fleet in the Prometheus text format, with HAProxy's exporter\n"
	       "metric names (haproxy_server_current_sessions{proxy,server}, ...).\n"
	       "Counters are typed from HAProxy's field natures; summed counters never go\n"
	       "backwards when an instance restarts or an old worker exits.\n\n"
	       "  --listen ADDR:PORT  serve GET /metrics, one snapshot per scrape (-t bounds\n"
	       "                      it); without it the text is printed once\n"
	       "  --per-instance      one sample per instance, labelled instance=\"...\"\n");
}

/* The options of exporter: -1 to go on, else an exit status. */
static int exporter_opts(struct cli *c, int argc, char **argv, const char **listen_spec,
                         int *per_instance)
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "listen", required_argument, NULL, 'l' },
		{ "per-instance", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (o) {
		case 'h':
			help();
			return EXIT_OK;
		case 'l':
			*listen_spec = optarg;
			break;
		case 'i':
			*per_instance = 1;
			break;
		default:
			if (optopt == 'l')
				return cli_usage(c, "exporter: --listen needs ADDR:PORT");
			return cli_usage(c, "exporter: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage(c, "exporter: unexpected argument '%s'", argv[optind]);
	if (*listen_spec && c->fmt == FMT_PROMETHEUS)
		return cli_usage(c, "exporter: --listen and -o prometheus exclude each other");
	return -1;
}

/* No --listen: one scrape printed. */
static int print_once(struct cli *c, struct prom *p)
{
	char *text = NULL;
	size_t len = 0, failed = 0;
	int ret = scrape(c, p, &text, &len, &failed);

	if (ret == EXIT_OK) {
		fwrite(text, 1, len, stdout);
		free(text);
		/* like every read: printed, but an instance that failed is a failure */
		if (failed)
			ret = EXIT_FAILED;
	}
	return ret;
}

/* --listen: serve /metrics until SIGINT or SIGTERM. */
static int serve_until_stopped(struct cli *c, struct prom *p, const char *listen_spec)
{
	int base_timeout; /* -t, or the fleet's, or 0: the library's default */
	struct sigaction sa;
	int fd, ret = cli_fleet(c);

	if (ret)
		return ret;
	base_timeout = c->opts.timeout_ms;
	fd = listen_on(c, listen_spec);
	if (fd < 0)
		return -fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "haproxyadmin: exporter listening on %s\n", listen_spec);
	while (!stop) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int cfd;

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		cfd = accept(fd, NULL, NULL);
		if (cfd < 0)
			continue;
		serve(c, p, cfd, base_timeout);
		close(cfd);
	}
	close(fd);
	return EXIT_OK;
}

int cmd_exporter(struct cli *c, int argc, char **argv)
{
	const char *listen_spec = NULL;
	struct prom *p;
	int per_instance = 0, ret;

	ret = exporter_opts(c, argc, argv, &listen_spec, &per_instance);
	if (ret >= 0)
		return ret;
	p = prom_new(per_instance);
	if (!p) {
		cli_err(c, "out of memory");
		return EXIT_FAILED;
	}
	if (!listen_spec)
		ret = print_once(c, p);
	else
		ret = serve_until_stopped(c, p, listen_spec);
	prom_free(p);
	return ret;
}
