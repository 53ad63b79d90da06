/*
 * rawread.c - the strictest floor of bench/run.sh: one process sends a
 * request to many HAProxy stats sockets at once and reads every reply to
 * EOF, discarding it. No parsing, no output: what is left is HAProxy's
 * time to print plus the kernel's to move the bytes, without the process
 * start-up of one socat per instance.
 *
 * Usage: rawread -f REQFILE SOCKET... [-f REQFILE SOCKET...]...
 *   each -f applies to the sockets after it: UNIX paths, or tcp:IPV4:PORT
 *   (the 1,000 fake TCP endpoints of tests/tools/fakehap.c). Prints the total bytes
 *   read on stdout; exits 1 on any error (named on stderr).
 *
 * Same exchange as the tool's (DESIGN.md §6, reference §1): connect, write
 * the request, half-close (not a prompt session: it ends with "quit"),
 * read to EOF, all sockets in one poll() loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			char *q = realloc(p, cap ? cap * 2 : 4096);

			if (!q) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = q;
			cap = cap ? cap * 2 : 4096;
		}
		got = fread(p + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return p;
}

/* "tcp:A.B.C.D:PORT" (IPv4, as the fake responders of tests/tools/fakehap.c
 * print them) or a UNIX socket path; a connected blocking socket or -1 */
static int connect_to(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (strncmp(spec, "tcp:", 4) == 0) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		const char *colon = strrchr(spec + 4, ':');
		char host[64];

		if (!colon || (size_t)(colon - spec - 4) >= sizeof(host))
			return -1;
		memcpy(host, spec + 4, (size_t)(colon - spec - 4));
		host[colon - spec - 4] = '\0';
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)strtoul(colon + 1, NULL, 10));
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -1;
		sl = sizeof(*sin);
	} else {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;

		if (strlen(spec) >= sizeof(sun->sun_path))
			return -1;
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, spec, strlen(spec) + 1);
		sl = sizeof(*sun);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int open_one(const char *path, const char *req, size_t len)
{
	size_t off = 0;
	int fd = connect_to(path);

	if (fd < 0)
		return -1;
	/* requests are small (a few lines, or a prompt session): blocking write */
	while (off < len) {
		ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	/* a prompt session ends itself with "quit": HAProxy drops the lines
	 * still queued behind a half-close in prompt mode */
	if (len < 7 || memcmp(req, "prompt\n", 7) != 0)
		shutdown(fd, SHUT_WR);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

int main(int argc, char **argv)
{
	static char buf[256 << 10];
	struct pollfd *pfd = calloc((size_t)argc, sizeof(*pfd));
	char *req = NULL;
	size_t reqlen = 0, n = 0, open = 0, total = 0, i;
	int a;

	if (!pfd)
		return 1;
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-f") == 0 && a + 1 < argc) {
			free(req);
			req = slurp(argv[++a], &reqlen);
			if (!req) {
				fprintf(stderr, "rawread: cannot read %s\n", argv[a]);
				return 1;
			}
			continue;
		}
		if (!req) {
			fprintf(stderr,
			        "usage: rawread -f REQFILE SOCKET... [-f REQFILE SOCKET...]...\n");
			return 1;
		}
		pfd[n].fd = open_one(argv[a], req, reqlen);
		if (pfd[n].fd < 0) {
			fprintf(stderr, "rawread: %s: %s\n", argv[a], strerror(errno));
			return 1;
		}
		pfd[n].events = POLLIN;
		n++;
		open++;
	}
	while (open > 0) {
		if (poll(pfd, (nfds_t)n, 30000) <= 0) {
			fprintf(stderr, "rawread: poll: %s\n",
			        errno ? strerror(errno) : "timed out");
			return 1;
		}
		for (i = 0; i < n; i++) {
			ssize_t r;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			while ((r = recv(pfd[i].fd, buf, sizeof(buf), 0)) > 0)
				total += (size_t)r;
			if (r == 0 ||
			    (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open--;
			}
		}
	}
	printf("%zu\n", total);
	free(req);
	free(pfd);
	return 0;
}
