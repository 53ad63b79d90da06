/*
 * endpoint.c - endpoint specs to socket addresses (see transport.h).
 *
 * Owns the spec grammar: a path (absolute, ./ or ../, or any spec without
 * a ':'), unix:PATH, tcp:HOST:PORT and a master: prefix on any of them, and
 * the expansion of a directory into the sockets it holds.
 *
 * Must never resolve a host name (a fleet tool must not hang on DNS) or open
 * a socket. hap_addr_parse() does not look at the filesystem at all, so a
 * socket that appears later can still be named; only hap_addr_expand() does.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "haproxyadmin.h"
#include "error.h"
#include "transport/transport.h"
#include "util/buf.h"
#include "util/view.h"
#include "util/banned.h"

/* Longest path sun_path can hold with its terminating NUL. */
#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

static int bad(struct hap_error *err, const char *spec, const char *why)
{
	return hap_error_set(err, HAP_EINVAL, "invalid endpoint \"%s\": %s", spec, why);
}

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *master_prefix(const struct hap_addr *a)
{
	return a->master ? "master:" : "";
}

static int parse_unix(struct hap_addr *out, const char *spec, const char *path,
                      struct hap_error *err)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&out->ss;
	size_t len = strlen(path);

	if (len == 0)
		return bad(err, spec, "empty socket path");
	if (len > SUN_PATH_MAX)
		return hap_error_set(err, HAP_EINVAL,
		                     "%s: socket path too long (%zu bytes, max %zu)", path, len,
		                     (size_t)SUN_PATH_MAX);
	out->kind = HAP_ADDR_UNIX;
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, len + 1);
	out->sslen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	snprintf(out->name, sizeof(out->name), "%s%s", master_prefix(out), path);
	return 0;
}

/* <hp> is what follows "tcp:": an IPv4 literal or [IPv6 literal], ':', a port. */
static int parse_tcp(struct hap_addr *out, const char *spec, const char *hp, struct hap_error *err)
{
	char host[INET6_ADDRSTRLEN + 1], canon[INET6_ADDRSTRLEN];
	const char *hend, *port;
	uint64_t num;
	int v6 = hp[0] == '[';

	if (v6) {
		hend = strchr(hp, ']');
		if (!hend)
			return bad(err, spec, "missing ']' after the IPv6 address");
		if (hend[1] != ':')
			return bad(err, spec, "expected :PORT after the IPv6 address");
		port = hend + 2;
		hp++;
	} else {
		hend = strrchr(hp, ':');
		if (!hend)
			return bad(err, spec, "expected tcp:HOST:PORT");
		port = hend + 1;
		if (memchr(hp, ':', (size_t)(hend - hp)))
			return bad(err, spec,
			           "an IPv6 address must be in brackets: tcp:[ADDR]:PORT");
	}
	if (hend == hp)
		return bad(err, spec, "missing host address");
	if ((size_t)(hend - hp) >= sizeof(host))
		return bad(err, spec, v6 ? "invalid IPv6 address" : "invalid IPv4 address");
	memcpy(host, hp, (size_t)(hend - hp));
	host[hend - hp] = '\0';

	if (*port == '\0')
		return bad(err, spec, "missing port");
	if (hap_num_u64(hap_view_str(port), &num) || num < 1 || num > 65535)
		return bad(err, spec, "port must be a decimal number from 1 to 65535");

	out->kind = HAP_ADDR_TCP;
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return bad(err, spec, "invalid IPv6 address (host names are not resolved)");
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)num);
		out->sslen = sizeof(*sin6);
		inet_ntop(AF_INET6, &sin6->sin6_addr, canon, sizeof(canon));
		snprintf(out->name, sizeof(out->name), "%stcp:[%s]:%u", master_prefix(out), canon,
		         (unsigned)num);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return bad(err, spec,
			           "HOST must be an IPv4 address or a bracketed IPv6 address "
			           "(host names are not resolved)");
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)num);
		out->sslen = sizeof(*sin);
		inet_ntop(AF_INET, &sin->sin_addr, canon, sizeof(canon));
		snprintf(out->name, sizeof(out->name), "%stcp:%s:%u", master_prefix(out), canon,
		         (unsigned)num);
	}
	return 0;
}

void hap_addr_why(const struct hap_addr *a, char *buf, size_t n)
{
	if (a->invalid)
		snprintf(buf, n, "socket path too long (%zu bytes, max %zu)", a->invalid_len,
		         (size_t)SUN_PATH_MAX);
	else if (n)
		buf[0] = '\0';
}

int hap_addr_parse(struct hap_addr *out, const char *spec, struct hap_error *err)
{
	const char *s = spec;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec)
		return hap_error_set(err, HAP_EINVAL, "invalid endpoint \"\": empty spec");
	if (has_prefix(s, "master:")) {
		out->master = 1;
		s += strlen("master:");
		if (!*s)
			return bad(err, spec, "nothing after master:");
	}
	if (has_prefix(s, "unix:"))
		ret = parse_unix(out, spec, s + strlen("unix:"), err);
	else if (has_prefix(s, "tcp:"))
		ret = parse_tcp(out, spec, s + strlen("tcp:"), err);
	else if (s[0] == '/' || s[0] == '.' || !strchr(s, ':'))
		ret = parse_unix(out, spec, s, err);
	else
		ret = bad(err, spec,
		          "expected /PATH, unix:PATH, tcp:HOST:PORT or master: before one");
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}

static int append(struct hap_addr **addrs, size_t *n, const struct hap_addr *add, size_t k,
                  struct hap_error *err)
{
	struct hap_addr *p;

	if (k > ((size_t)-1) / sizeof(*p) - *n)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	p = realloc(*addrs, (*n + k) * sizeof(*p));
	if (!p)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	memcpy(p + *n, add, k * sizeof(*p));
	*addrs = p;
	*n += k;
	return 0;
}

static int path_error(const char *path, int e, struct hap_error *err)
{
	char buf[128];

	if (e == ENOENT || e == ENOTDIR)
		return hap_error_set(err, HAP_ENOENT, "%s: no such file or directory", path);
	if (e == EACCES)
		return hap_error_set(err, HAP_EACCES, "%s: permission denied", path);
	if (e == ENOMEM)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	return hap_error_set(err, HAP_EIO, "%s: %s", path, hap_errtext(e, buf, sizeof(buf)));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct hap_addr *)a)->name, ((const struct hap_addr *)b)->name);
}

/* Every UNIX socket directly in <dir>, sorted by name, appended at once. */
static int expand_dir(struct hap_addr **addrs, size_t *n, const char *dir, struct hap_error *err)
{
	struct hap_buf path = HAP_BUF_INIT;
	struct hap_addr *found = NULL, *p;
	size_t nfound = 0, room = 0, dlen = strlen(dir);
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret = 0;

	d = opendir(dir);
	if (!d)
		return path_error(dir, errno, err);
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				ret = path_error(dir, errno, err);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		hap_buf_reset(&path);
		if (hap_buf_adds(&path, dir) ||
		    (dlen && dir[dlen - 1] != '/' && hap_buf_addc(&path, '/')) ||
		    hap_buf_adds(&path, de->d_name)) {
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
			break;
		}
		/* An entry may vanish or be unreadable: it is simply not a socket. */
		if (stat(path.ptr, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		if (nfound == room) {
			room = room ? room * 2 : 16;
			p = realloc(found, room * sizeof(*p));
			if (!p) {
				ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
				break;
			}
			found = p;
		}
		memset(&found[nfound], 0, sizeof(found[nfound]));
		if (path.len > SUN_PATH_MAX) {
			/* one unusable socket must not hide the others: keep it, marked */
			found[nfound].kind = HAP_ADDR_UNIX;
			found[nfound].invalid = 1;
			snprintf(found[nfound].name, sizeof(found[nfound].name), "%s", path.ptr);
			found[nfound].invalid_len = path.len;
			nfound++;
			continue;
		}
		ret = parse_unix(&found[nfound], path.ptr, path.ptr, err);
		if (ret)
			break;
		nfound++;
	}
	closedir(d);
	if (ret)
		goto out;
	if (!nfound) {
		ret = hap_error_set(err, HAP_ENOENT, "%s: no UNIX socket in directory", dir);
		goto out;
	}
	qsort(found, nfound, sizeof(*found), by_name);
	ret = append(addrs, n, found, nfound, err);
out:
	free(found);
	hap_buf_release(&path);
	return ret;
}

int hap_addr_expand(struct hap_addr **addrs, size_t *n, const char *spec, struct hap_error *err)
{
	struct hap_addr one;
	const char *path;
	struct stat st;
	int ret;

	/* a directory may have a path longer than any socket's */
	path = strncmp(spec, "unix:", 5) == 0 ? spec + 5 : spec;
	if (strlen(path) > SUN_PATH_MAX && strncmp(spec, "tcp:", 4) != 0 &&
	    strncmp(spec, "master:", 7) != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return expand_dir(addrs, n, path, err);
	ret = hap_addr_parse(&one, spec, err);
	if (ret)
		return ret;
	if (one.kind == HAP_ADDR_TCP)
		return append(addrs, n, &one, 1, err);

	path = ((const struct sockaddr_un *)&one.ss)->sun_path;
	/* a missing or unreadable socket is still an instance: its connect
	 * fails and it is reported as a row like any other unreached one */
	if (stat(path, &st) < 0 && (errno == ENOENT || errno == ENOTDIR || errno == EACCES))
		return append(addrs, n, &one, 1, err);
	if (stat(path, &st) < 0)
		return path_error(path, errno, err);
	if (S_ISSOCK(st.st_mode))
		return append(addrs, n, &one, 1, err);
	if (S_ISDIR(st.st_mode) && !one.master)
		return expand_dir(addrs, n, path, err);
	return hap_error_set(err, HAP_EINVAL, "%s: not a socket", path);
}
