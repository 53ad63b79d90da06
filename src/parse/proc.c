/*
 * proc.c - the master CLI's "show proc": which processes to talk to.
 *
 *   #<PID>          <type>          <reloads>       <uptime>        <version>
 *   13783           master          1 [failed: 0]   0d00h01m02s     2.6.12-1+deb12u4
 *   # workers
 *   13841           worker          0               0d00h00m01s     2.6.12-1+deb12u4
 *   # old workers
 *   ...
 *
 * The columns are padded to a fixed width, but the master's reloads column
 * ("1 [failed: 0]") contains blanks, so lines are read as blank-separated
 * tokens rather than by offset; the kind of a process comes from the
 * section it is listed in. A process we cannot read is an error: the
 * caller addresses workers by these pids. Views point into the reply.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "parse/parse.h"
#include "util/banned.h"

#define SECTION_UNKNOWN (-1)

void hap_proc_release(struct hap_proc_list *pl)
{
	if (!pl)
		return;
	free(pl->procs);
	pl->procs = NULL;
	pl->n = 0;
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Next blank-separated token of *v (empty at the end); *v moves past it. */
static struct hap_view token(struct hap_view *v)
{
	struct hap_view t;
	size_t i = 0, j;

	while (i < v->n && blank(v->p[i]))
		i++;
	j = i;
	while (j < v->n && !blank(v->p[j]))
		j++;
	t = hap_view_make(v->p + i, j - i);
	*v = hap_view_make(v->p + j, v->n - j);
	return t;
}

static int section_kind(struct hap_view name)
{
	if (hap_view_eq(name, "workers"))
		return HAP_PROC_WORKER;
	if (hap_view_eq(name, "old workers"))
		return HAP_PROC_OLD_WORKER;
	if (hap_view_eq(name, "programs"))
		return HAP_PROC_PROGRAM;
	if (hap_view_eq(name, "old programs"))
		return HAP_PROC_OLD_PROGRAM;
	return SECTION_UNKNOWN;
}

/* "<pid> <type> <reloads> [<[failed: N]>] <uptime> <version>" */
static int parse_entry(struct hap_view line, struct hap_proc *pr)
{
	struct hap_view pid, type, reloads, t;

	pid = token(&line);
	type = token(&line);
	reloads = token(&line);
	if (hap_num_i64(pid, &pr->pid) || pr->pid <= 0 || !type.n ||
	    hap_num_i64(reloads, &pr->reloads) || pr->reloads < 0)
		return HAP_EPROTO;
	t = token(&line);
	if (hap_view_startswith(t, "[")) {
		/* the master's "[failed: N]" (its count is not kept) */
		while (t.n && t.p[t.n - 1] != ']')
			t = token(&line);
		if (!t.n)
			return HAP_EPROTO;
		t = token(&line);
	}
	pr->uptime = t;
	pr->version = hap_view_trim(line);
	if (!pr->uptime.n || !pr->version.n)
		return HAP_EPROTO;
	return 0;
}

static int add_proc(struct hap_proc_list *pl, size_t *cap, const struct hap_proc *pr)
{
	if (pl->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct hap_proc *p;

		if (ncap > SIZE_MAX / 2 / sizeof(*p))
			return HAP_ENOMEM;
		p = realloc(pl->procs, ncap * sizeof(*p));
		if (!p)
			return HAP_ENOMEM;
		pl->procs = p;
		*cap = ncap;
	}
	pl->procs[pl->n++] = *pr;
	return 0;
}

int hap_proc_parse(struct hap_proc_list *out, const char *text, size_t len, struct hap_error *err)
{
	const char *p = text, *end = len ? text + len : text;
	size_t lineno = 0, cap = 0;
	int kind = HAP_PROC_MASTER, have_header = 0, ret = 0;

	out->n = 0;
	out->procs = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct hap_view line = hap_view_make(p, nl ? (size_t)(nl - p) : (size_t)(end - p));
		struct hap_proc pr;

		p = nl ? nl + 1 : end;
		lineno++;
		if (line.n && line.p[line.n - 1] == '\r')
			line.n--;
		if (lineno == 1) {
			if (!hap_view_startswith(line, "#<PID>"))
				break;
			have_header = 1;
			continue;
		}
		if (!line.n)
			break;
		if (line.p[0] == '#') {
			kind = section_kind(hap_view_trim(hap_view_make(line.p + 1, line.n - 1)));
			continue;
		}
		if (kind == SECTION_UNKNOWN)
			continue;
		memset(&pr, 0, sizeof(pr));
		if (parse_entry(line, &pr)) {
			ret = hap_error_set(err, HAP_EPROTO,
			                    "show proc: line %zu: unexpected format", lineno);
			goto fail;
		}
		pr.kind = (enum hap_proc_kind)kind;
		ret = add_proc(out, &cap, &pr);
		if (ret) {
			hap_error_set(err, ret, "show proc: out of memory");
			goto fail;
		}
	}
	if (!have_header)
		return hap_error_set(err, HAP_EPROTO, "show proc: no header line");
	return 0;
fail:
	hap_proc_release(out);
	return ret;
}
