/*
 * guard.c - what the command line guards beyond the library's plans: a
 * weight that ends at 0 counted as disruptive, the rows of instances that
 * were not reached, and local files checked before anything is sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "rows.h"

/* Strict decimal (leading zeros allowed, read as decimal). */
static int dec(const char *s, size_t len, long *out)
{
	long v = 0;
	size_t i;

	if (!len || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* The n-th (1-based) blank-separated word of line [p, e) into out. */
static int word(const char *p, const char *e, int n, char *out, size_t len)
{
	const char *w;

	for (;;) {
		while (p < e && *p == ' ')
			p++;
		if (p == e)
			return -1;
		w = p;
		while (p < e && *p != ' ')
			p++;
		if (--n == 0)
			break;
	}
	if ((size_t)(p - w) >= len)
		return -1;
	memcpy(out, w, (size_t)(p - w));
	out[p - w] = '\0';
	return 0;
}

/* The configured weight (srv_iweight) of backend/server in a "show servers
 * state" reply, or -1 when it is not there. */
static long iweight_of(const char *reply, const char *backend, const char *server)
{
	const char *p = reply, *e;
	char be[512], sv[512], iw[32];
	long v;

	for (; *p; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		if (*p == '#' || word(p, e, 2, be, sizeof(be)) || word(p, e, 4, sv, sizeof(sv)) ||
		    word(p, e, 9, iw, sizeof(iw)))
			continue;
		if (strcmp(be, backend) == 0 && strcmp(sv, server) == 0 &&
		    dec(iw, strlen(iw), &v) == 0)
			return v;
	}
	return -1;
}

/*
 * A weight change takes a server out of the balancing when it ends at 0:
 * "0", or a percentage that rounds to 0. HAProxy applies N% to the
 * configured weight (srv_iweight of "show servers state", which "show
 * stat" does not give): for a percentage under 100 it is read from every
 * instance of the plan; an instance where it cannot be read counts as
 * reaching 0, so the guard errs on asking, never on not asking.
 */
int guard_weight_zero(struct cli *c, const struct hap_plan *p, const char *value,
                      const char *backend)
{
	struct hap_error err = { 0, "" };
	struct hap_result *r = NULL;
	size_t len = strlen(value), i, k;
	char cmd[600];
	long pct;
	int zero = 0;

	if (len && value[len - 1] != '%')
		return dec(value, len, &pct) == 0 && pct == 0;
	if (dec(value, len - 1, &pct))
		return 0;
	if (pct == 0)
		return 1;
	if (pct >= 100 || !hap_plan_count(p))
		return 0;
	snprintf(cmd, sizeof(cmd), "show servers state%s%s", backend ? " " : "",
	         backend ? backend : "");
	if (hap_exec(&r, c->h, cmd, &err))
		return 1;
	for (i = 0; i < hap_plan_count(p) && !zero; i++) {
		const char *be, *nm;
		long iw = -1;

		if (hap_plan_object_ref(p, i, &be, &nm) != HAP_KIND_SERVER || !be) {
			zero = 1;
			break;
		}
		/* the instance's own reply: the same position in the fleet, by
		 * name only when the fleet's instances moved since the plan */
		k = hap_plan_instance_index(p, i);
		if (k >= hap_result_count(r) ||
		    strcmp(hap_result_instance(r, k), hap_plan_instance(p, i)) != 0)
			for (k = 0; k < hap_result_count(r); k++)
				if (strcmp(hap_result_instance(r, k), hap_plan_instance(p, i)) == 0)
					break;
		if (k < hap_result_count(r) && !hap_result_code(r, k))
			iw = iweight_of(hap_result_message(r, k), be, nm);
		if (iw < 0 || iw * pct / 100 < 1)
			zero = 1;
	}
	hap_result_free(r);
	return zero;
}

/*
 * A local file to send: only a regular file, at most max bytes. Opens,
 * checks the open descriptor (no race between check and read) and fails at
 * once on a FIFO or a device (opened non-blocking, so a FIFO without a
 * writer cannot hang). 0, or EXIT_USAGE with the message printed.
 */
int guard_local_file(struct cli *c, const char *path, long long max)
{
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0)
		return cli_usage(c, "%s: not a regular file (standard input is not read)", path);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cli_usage(c, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		close(fd);
		return cli_usage(c, "%s: %s", path, strerror(errno));
	}
	close(fd);
	if (!S_ISREG(st.st_mode))
		return cli_usage(c, "%s: not a regular file (%s): nothing sent", path,
		                 S_ISFIFO(st.st_mode)                         ? "a FIFO"
		                 : S_ISDIR(st.st_mode)                        ? "a directory"
		                 : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
		                                                              : "not a file");
	if ((long long)st.st_size > max)
		return cli_usage(c, "%s: %lld bytes, more than the %lld allowed: nothing sent",
		                 path, (long long)st.st_size, max);
	return 0;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An entry of a listing as the file would hold it: "key value" or the key. */
static char *entry_text(enum hap_pattern_kind kind, const struct hap_pattern_entry *e)
{
	size_t kl = strlen(e->key), vl = strlen(e->value);
	char *s = malloc(kl + vl + 2);

	if (!s)
		return NULL;
	memcpy(s, e->key, kl);
	if (kind == HAP_PATTERN_MAP) {
		s[kl] = ' ';
		memcpy(s + kl + 1, e->value, vl + 1);
	} else {
		s[kl] = '\0';
	}
	return s;
}

/*
 * What a replace will do on each instance loading the file: entries added
 * and removed (as multisets, order aside), from each instance's own
 * listing against the file. Printed as "# INSTANCE: +A -R (N entries now,
 * M after)" to out. *removes is set when some instance loses entries or the
 * file is empty; *ninst counts the instances. 0, or an exit status.
 */
/* The entries instance i holds, as text, sorted: caller frees each and the
 * array. 0, or -1 (nothing to free). */
static int held_entries(enum hap_pattern_kind kind, struct hap_pattern_read *rd, size_t i, size_t n,
                        char ***out)
{
	char **have;
	size_t e;

	have = calloc(n ? n : 1, sizeof(*have));
	if (!have)
		return -1;
	for (e = 0; e < n; e++) {
		struct hap_pattern_entry pe;

		if (hap_pattern_read_entry(&pe, rd, i, e) || !(have[e] = entry_text(kind, &pe)))
			break;
	}
	if (e < n) {
		while (e-- > 0)
			free(have[e]);
		free(have);
		return -1;
	}
	qsort(have, n, sizeof(*have), by_str);
	*out = have;
	return 0;
}

/* What the replace adds and removes: both lists sorted. */
static void diff_sorted(char *const *have, size_t n, const char *const *want, size_t nf,
                        size_t *added, size_t *removed)
{
	size_t a = 0, b = 0;

	while (a < n || b < nf) {
		int cmp = a == n ? 1 : b == nf ? -1 : strcmp(have[a], want[b]);

		if (cmp < 0) {
			(*removed)++;
			a++;
		} else if (cmp > 0) {
			(*added)++;
			b++;
		} else {
			a++;
			b++;
		}
	}
}

int guard_replace_preview(struct cli *c, FILE *out, enum hap_pattern_kind kind, const char *id,
                          const struct hap_pattern_file *f, int *removes, size_t *ninst)
{
	struct hap_error err = { 0, "" };
	struct hap_pattern_read *rd = NULL;
	const struct hap_result *res;
	struct hap_pattern_op op;
	const char **want = NULL;
	size_t nf = hap_pattern_file_count(f), i, e;
	int ret = 0;

	*removes = nf == 0;
	*ninst = 0;
	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.verb = HAP_PATTERN_SHOW;
	op.id = id;
	ret = hap_pattern_read_new(&rd, c->h, &op, &err);
	if (ret) {
		ret = plan_error(c, ret, &err);
		goto out;
	}
	want = calloc(nf ? nf : 1, sizeof(*want));
	if (!want) {
		ret = EXIT_FAILED;
		goto out;
	}
	for (e = 0; e < nf; e++)
		want[e] = hap_pattern_file_entry(f, e);
	qsort(want, nf, sizeof(*want), by_str);
	res = hap_pattern_read_result(rd);
	for (i = 0; i < hap_result_count(res); i++) {
		size_t n = hap_pattern_read_entry_count(rd, i), added = 0, removed = 0;
		const char *msg = hap_result_message(res, i);
		char **have;
		int st = hap_result_code(res, i);

		if (st == HAP_ENOTFOUND)
			continue;
		(*ninst)++;
		if (st) {
			fprintf(out, "# %s: unknown: %s\n", hap_result_instance(res, i), msg);
			*removes = 1;
			continue;
		}
		if (held_entries(kind, rd, i, n, &have)) {
			ret = EXIT_FAILED;
			goto out;
		}
		diff_sorted(have, n, want, nf, &added, &removed);
		if (removed)
			*removes = 1;
		fprintf(out, "# %s: +%zu -%zu (%zu entries now, %zu after)\n",
		        hap_result_instance(res, i), added, removed, n, nf);
		for (e = 0; e < n; e++)
			free(have[e]);
		free(have);
	}
out:
	free(want);
	hap_pattern_read_free(rd);
	return ret;
}

/*
 * Ask before a disruptive change that reaches more than one instance: on a
 * terminal ask, else refuse without -y. 0 to go on, or an exit status.
 */
int guard_confirm(struct cli *c, const char *what, size_t ninst)
{
	char line[16];

	if (c->yes || ninst <= 1)
		return 0;
	if (!isatty(STDIN_FILENO)) {
		cli_err(c, "refusing to %s (on %zu instances) without --yes (no terminal to ask)",
		        what, ninst);
		return EXIT_USAGE;
	}
	fprintf(stderr, "%s (on %zu instances)? [y/N] ", what, ninst);
	if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y')) {
		cli_err(c, "nothing changed");
		return EXIT_USAGE;
	}
	return 0;
}

static int starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/*
 * 1 when a raw reply is one of HAProxy's refusals (2.6 runtime API texts,
 * see tests/data/2.6): judged on the first line, and on "[err]" lines of
 * a multi-command reply.
 */
int guard_exec_refusal(const char *reply)
{
	static const char *const prefix[] = {
		"Unknown command",
		"No such ",
		"Require ",
		"Permission denied",
		"Missing ",
		"Can't ",
		"Cannot ",
		"Invalid ",
		"Unknown ACL identifier",
		"Unknown map identifier",
		"Key not found.",
		"entry not found.",
		"Session not found.",
		"Unknown ",
	};
	static const char *const inside[] = { " can be deleted", " cannot be ", " expects ",
		                              " is not a valid ", "[err]" };
	char line[512];
	size_t i, len;

	while (*reply == '\n')
		reply++;
	len = strcspn(reply, "\n");
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, reply, len);
	line[len] = '\0';
	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (starts(line, prefix[i]))
			return 1;
	for (i = 0; i < sizeof(inside) / sizeof(inside[0]); i++)
		if (strstr(line, inside[i]))
			return 1;
	return strstr(reply, "\n[err]") != NULL;
}

/* When nothing was sent because instances were not reached: one row per
 * instance of s that did not answer (table / CSV: ENDPOINT RESULT MESSAGE;
 * JSON: [{"endpoint", "result": "error", "sent": false, "message"}]). */
void guard_unreached_print(struct cli *c, const struct hap_snapshot *s)
{
	enum { U_INSTANCE, U_RESULT, U_SENT, U_MESSAGE, U_N };
	static const struct col cols[U_N] = {
		{ "INSTANCE", "endpoint", COL_TEXT },
		{ "RESULT", "result", COL_OUTCOME },
		{ NULL, "sent", COL_TEXT },
		{ "MESSAGE", "message", COL_TEXT },
	};
	struct rows *t = rows_new(c, cols, U_N, ROWS_ARRAY, NULL);
	char buf[512];
	size_t i;

	for (i = 0; i < hap_snapshot_instance_count(s); i++) {
		const char *msg = hap_result_message(hap_snapshot_result(s), i);

		if (!hap_result_code(hap_snapshot_result(s), i))
			continue;
		rows_row(t);
		rows_str(t, U_INSTANCE, hap_instance_name(s, i));
		rows_str(t, U_RESULT, "error");
		rows_bool(t, U_SENT, 0);
		rows_str(t, U_MESSAGE, msg);
		snprintf(buf, sizeof(buf), "not reached, nothing sent: %s", msg);
		rows_shown(t, U_MESSAGE, buf);
	}
	rows_done(t);
}
