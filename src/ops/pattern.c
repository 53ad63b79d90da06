/*
 * pattern.c - ACLs and maps across a fleet: the merged listing, id
 * resolution, the single-entry changes and reads, and the atomic replace.
 *
 * Owns: how an ACL/map id becomes the file every instance is addressed by
 * (numeric ids are per instance: HAProxy numbers ACLs and maps together in
 * parse order), the reply tables of every acl/map command, the parsing of a
 * local file for a replace, and the replace protocol.
 *
 * Must never: send "#N" to a fleet, judge a reply it does not know as
 * success, or commit a replace on any instance unless every instance took
 * every entry.
 *
 * The replace protocol (measured on HAProxy 2.6.12, 4 instances, 2 CPUs):
 *  1. "prepare acl|map FILE" on every instance holding the file, one
 *     connection each, in parallel; "New version created: V" gives each
 *     instance its own V.
 *  2. The entries, added to version V in requests of at most 15,000 bytes:
 *     HAProxy reads a command and its payload into one 16 KB buffer and
 *     silently drops a larger one (no reply at all). Maps use the payload
 *     form ("add map @V FILE <<", one "key value" per line, a blank line).
 *     HAProxy 2.6 has no payload form for ACLs ("'add acl' expects two
 *     parameters"), so an ACL request is a batch of "add acl @V FILE
 *     PATTERN" lines framed by "prompt" and "quit": in interactive mode the
 *     worker waits for every line even if the request arrives in pieces
 *     (without it, a worker closes as soon as its input is momentarily
 *     empty), and answers "\n> " to each command, so a batch's whole reply
 *     is known in advance and judged byte for byte. A master CLI never
 *     closes by itself: behind one, the batch is pipelined without prompt
 *     ("\n" per command), each line routed with "@!PID" (payload lines of a
 *     map request are not: they are data).
 *     One request per connection, like every other exchange here: one long
 *     interactive stream per instance would save connections, but HAProxy
 *     2.6.12 sometimes drops such a stream when the client half-closes
 *     (2 of 80 streams of 10,000 entries; 0 of ~12,000 connections of at
 *     most 15 KB). Requests go in rounds, request q of every instance at
 *     once, then q + 1: each instance gets the entries in the file's order
 *     (it matters: for duplicate keys and list-indexed matches such as
 *     map_beg the first entry wins), instances work in parallel, and a
 *     failure anywhere stops the load everywhere after one round (a stuck
 *     instance costs one deadline, not one per request).
 *  3. "commit acl|map @V FILE" on every instance, only when every instance
 *     took every request. Otherwise nothing is committed anywhere, and
 *     "clear acl|map @V FILE" drops each prepared version (the old content
 *     was in use all along; an uncleared version would only hold memory
 *     until the next commit).
 * A commit is atomic per instance; across instances the commits are one
 * parallel round, the shortest window there is. A commit that fails after
 * others succeeded is reported as such (partly applied), never hidden.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/fleet.h"
#include "model/snapshot.h"
#include "ops/ops.h"
#include "ops/lock.h"
#include "ops/round.h"
#include "ops/pattern.h"
#include "parse/parse.h"
#include "proto/command.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/view.h"
#include "util/banned.h"

/* A whole request (command, payload, blank line) stays under this: HAProxy
 * reads it into one tune.bufsize (16384) buffer and drops a larger one. */
#define REQ_MAX 15000
/* Room for a master's "@!<pid> " routing prefix in a request. */
#define PREFIX_MAX 32
/* A file line (ACL pattern, map "key value"): hap_cmd_check_value()'s limit. */
#define LINE_MAX_BYTES 8000
#define FILE_MAX       ((size_t)1 << 30)
/* Longest "@<version>" word: "@4294967295". */
#define VER_MAX_WORD 11

/* ---- reply tables (HAProxy 2.6.12's texts, tests/data/2.6/) ---- */

#define END                                                                                        \
	{                                                                                          \
		HAP_M_END, NULL, HAP_V_REFUSED                                                     \
	}
/* "del acl" on an unknown ACL says "Unknown map identifier": both everywhere. */
#define UNKNOWN_ID                                                                                 \
	{ HAP_M_PREFIX, "Unknown ACL identifier.", HAP_V_NOTFOUND },                               \
	{                                                                                          \
		HAP_M_PREFIX, "Unknown map identifier.", HAP_V_NOTFOUND                            \
	}

/* Changes succeed silently. "Key not found." (del) and "entry not found."
 * (set) are refusals: the key was not there to change. */
static const struct hap_reply_rule change_rules[] = {
	{ HAP_M_EMPTY, NULL, HAP_V_APPLIED },
	UNKNOWN_ID,
	{ HAP_M_EXACT, "Key not found.", HAP_V_REFUSED },
	{ HAP_M_EXACT, "entry not found.", HAP_V_REFUSED },
	END,
};

/* "show acl|map FILE": entries, or a lone "\n" when there are none. */
static const struct hap_reply_rule show_rules[] = {
	{ HAP_M_EMPTY, NULL, HAP_V_APPLIED },
	{ HAP_M_PREFIX, "0x", HAP_V_APPLIED },
	UNKNOWN_ID,
	END,
};

/* "type=ip, case=sensitive, match=no", "type=str, ..., found=yes, ..." */
static const struct hap_reply_rule get_rules[] = {
	{ HAP_M_PREFIX, "type=", HAP_V_APPLIED },
	UNKNOWN_ID,
	END,
};

static const struct hap_reply_rule prepare_rules[] = {
	{ HAP_M_PREFIX, "New version created: ", HAP_V_APPLIED },
	UNKNOWN_ID,
	END,
};

/* HAProxy 2.6 lets every acl/map command through at level user (and so
 * prepare and commit): the tables follow what HAProxy allows. */
const struct hap_reply_table hap_op_show_acl = { "show acl", HAP_LEVEL_USER, show_rules };
const struct hap_reply_table hap_op_show_map = { "show map", HAP_LEVEL_USER, show_rules };
const struct hap_reply_table hap_op_get_acl = { "get acl", HAP_LEVEL_USER, get_rules };
const struct hap_reply_table hap_op_get_map = { "get map", HAP_LEVEL_USER, get_rules };
const struct hap_reply_table hap_op_add_acl = { "add acl", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_add_map = { "add map", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_set_map = { "set map", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_del_acl = { "del acl", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_del_map = { "del map", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_clear_acl = { "clear acl", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_clear_map = { "clear map", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_prepare_acl = { "prepare acl", HAP_LEVEL_USER, prepare_rules };
const struct hap_reply_table hap_op_prepare_map = { "prepare map", HAP_LEVEL_USER, prepare_rules };
const struct hap_reply_table hap_op_commit_acl = { "commit acl", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_commit_map = { "commit map", HAP_LEVEL_USER, change_rules };

static const char *kind_word(enum hap_pat_kind kind)
{
	return kind == HAP_PAT_MAP ? "map" : "acl";
}

static const char *kind_name(enum hap_pat_kind kind)
{
	return kind == HAP_PAT_MAP ? "map" : "ACL";
}

/* ------------------------------------------------------------------ */
/* The merged listing                                                  */
/* ------------------------------------------------------------------ */

struct hap_patterns {
	enum hap_pat_kind kind;
	size_t ninst;
	const char *const *names; /* borrowed: instance display names */
	const char **names_own;   /* the array, when built from a snapshot */
	unsigned char *live;      /* per instance: its listing was read */
	struct hap_arena arena;   /* NUL-terminated file names and descriptions */
	size_t nrows;
	struct hap_pattern_ref *rows; /* every row of every live instance, instance order */
	size_t nfiles;
	size_t *byfile; /* row indices of file rows, by (file, instance) */
	size_t *fstart; /* nfiles + 1 starts into byfile */
	size_t ninl;
	size_t *inl; /* row indices of inline rows */
};

struct sort_key {
	const char *file;
	size_t row;
};

static int keycmp(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	return x->row < y->row ? -1 : x->row > y->row;
}

void hap_patterns_free(struct hap_patterns *p)
{
	if (!p)
		return;
	free(p->names_own);
	free(p->live);
	free(p->rows);
	free(p->byfile);
	free(p->fstart);
	free(p->inl);
	hap_arena_release(&p->arena);
	free(p);
}

/* The merge itself, from each instance's parsed listing (NULL: not read).
 * names and lists are borrowed; names must outlive *out. */
int hap_pat_merge(struct hap_patterns **out, enum hap_pat_kind kind, const char *const *names,
                  const struct hap_pat_ref_list *const *lists, size_t n, struct hap_error *err)
{
	struct hap_patterns *p = calloc(1, sizeof(*p));
	struct sort_key *keys = NULL;
	size_t i, k, r = 0, nf = 0;

	*out = NULL;
	if (!p)
		goto oom;
	p->kind = kind;
	p->ninst = n;
	p->names = names;
	p->live = calloc(n ? n : 1, 1);
	if (!p->live)
		goto oom;
	for (i = 0; i < n; i++)
		if (lists[i]) {
			p->live[i] = 1;
			p->nrows += lists[i]->n;
		}
	p->rows = calloc(p->nrows ? p->nrows : 1, sizeof(*p->rows));
	p->byfile = calloc(p->nrows ? p->nrows : 1, sizeof(*p->byfile));
	p->inl = calloc(p->nrows ? p->nrows : 1, sizeof(*p->inl));
	keys = calloc(p->nrows ? p->nrows : 1, sizeof(*keys));
	if (!p->rows || !p->byfile || !p->inl || !keys)
		goto oom;
	for (i = 0; i < n; i++) {
		for (k = 0; lists[i] && k < lists[i]->n; k++) {
			const struct hap_pat_ref *src = &lists[i]->refs[k];
			struct hap_pattern_ref *d = &p->rows[r];

			d->instance = i;
			d->id = src->id;
			d->entries = src->entry_cnt;
			d->curr_ver = src->curr_ver;
			d->next_ver = src->next_ver;
			d->file = hap_arena_strndup(&p->arena, src->file.p, src->file.n);
			d->desc = hap_arena_strndup(&p->arena, src->desc.p, src->desc.n);
			if (!d->file || !d->desc)
				goto oom;
			if (src->file.n) {
				keys[nf].file = d->file;
				keys[nf].row = r;
				nf++;
			} else {
				p->inl[p->ninl++] = r;
			}
			r++;
		}
	}
	qsort(keys, nf, sizeof(*keys), keycmp);
	p->fstart = calloc(nf + 1, sizeof(*p->fstart));
	if (!p->fstart)
		goto oom;
	for (i = 0; i < nf; i++) {
		p->byfile[i] = keys[i].row;
		if (i == 0 || strcmp(keys[i].file, keys[i - 1].file) != 0)
			p->fstart[p->nfiles++] = i;
	}
	p->fstart[p->nfiles] = nf;
	free(keys);
	*out = p;
	return 0;
oom:
	free(keys);
	hap_patterns_free(p);
	return hap_error_set(err, HAP_ENOMEM, "out of memory");
}

static int inst_live(const struct hap_snapshot *s, size_t i)
{
	return !hap_instance_status(s, i, NULL) &&
	       !(hap_instance_flags(s, i) & (HAP_INST_DUPLICATE | HAP_INST_EXCLUDED));
}

int hap_patterns_new(struct hap_patterns **out, const struct hap_snapshot *s,
                     enum hap_pat_kind kind, struct hap_error *err)
{
	size_t i, n = hap_snapshot_instance_count(s);
	const char **names = calloc(n ? n : 1, sizeof(*names));
	const struct hap_pat_ref_list **lists = calloc(n ? n : 1, sizeof(*lists));
	int ret;

	*out = NULL;
	if (!names || !lists) {
		free(names);
		free(lists);
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		names[i] = hap_instance_name(s, i);
		lists[i] =
		        inst_live(s, i) ? hap_snapshot_patterns(s, i, kind == HAP_PAT_MAP) : NULL;
	}
	ret = hap_pat_merge(out, kind, names, lists, n, err);
	free(lists);
	if (ret) {
		free(names);
		return ret;
	}
	(*out)->names_own = names;
	return 0;
}

size_t hap_patterns_count(const struct hap_patterns *p)
{
	return p->nfiles;
}

const char *hap_patterns_file(const struct hap_patterns *p, size_t f)
{
	return p->rows[p->byfile[p->fstart[f]]].file;
}

size_t hap_patterns_holder_count(const struct hap_patterns *p, size_t f)
{
	return p->fstart[f + 1] - p->fstart[f];
}

const struct hap_pattern_ref *hap_patterns_holder(const struct hap_patterns *p, size_t f, size_t k)
{
	return &p->rows[p->byfile[p->fstart[f] + k]];
}

int hap_patterns_find(const struct hap_patterns *p, const char *file, size_t *out)
{
	size_t f;

	for (f = 0; f < p->nfiles; f++)
		if (strcmp(hap_patterns_file(p, f), file) == 0) {
			*out = f;
			return 0;
		}
	return HAP_ENOTFOUND;
}

size_t hap_patterns_inline_count(const struct hap_patterns *p)
{
	return p->ninl;
}

const struct hap_pattern_ref *hap_patterns_inline_ref(const struct hap_patterns *p, size_t i)
{
	return &p->rows[p->inl[i]];
}

/* "#N" or "N": 0 and *out, else -1. */
static int parse_number_id(const char *id, int64_t *out)
{
	const char *d = id[0] == '#' ? id + 1 : id;
	size_t n = strlen(d);

	if (n == 0 || n > 18 || strspn(d, "0123456789") != n)
		return -1;
	return hap_num_parse_i64(d, out) ? -1 : 0;
}

static int set_target(struct hap_pattern_target *out, const struct hap_patterns *p, size_t f,
                      struct hap_error *err)
{
	const char *file = hap_patterns_file(p, f);

	if (strlen(file) >= sizeof(out->file))
		return hap_error_set(err, HAP_EINVAL, "%s file name too long", kind_name(p->kind));
	memcpy(out->file, file, strlen(file) + 1);
	out->holders = hap_patterns_holder_count(p, f);
	return 0;
}

int hap_patterns_resolve(struct hap_pattern_target *out, const struct hap_patterns *p,
                         const char *id, struct hap_error *err)
{
	struct hap_buf what = HAP_BUF_INIT, where = HAP_BUF_INIT;
	const struct hap_pattern_ref *first = NULL;
	size_t f, r, nfile = 0, ninl = 0;
	int64_t num;
	int mixed = 0, ret = 0;

	memset(out, 0, sizeof(*out));
	if (hap_patterns_find(p, id, &f) == 0)
		return set_target(out, p, f, err);
	if (parse_number_id(id, &num))
		return hap_error_set(err, HAP_ENOTFOUND,
		                     "no instance loads the %s file '%s' (an id is a file as "
		                     "listed by '%s list', or #N)",
		                     kind_name(p->kind), id, kind_word(p->kind));
	/* what #N is on each instance that lists it */
	for (r = 0; r < p->nrows; r++) {
		const struct hap_pattern_ref *row = &p->rows[r];
		const char *name = p->names[row->instance];

		if (row->id != num)
			continue;
		if (*row->file) {
			if (!first)
				first = row;
			else if (strcmp(first->file, row->file) != 0)
				mixed = 1;
			nfile++;
			ret = hap_buf_addf(&what, "%s%s: %s", what.len ? "; " : "", name,
			                   row->file);
			if (!ret)
				ret = hap_buf_addf(&where, "%s%s", where.len ? ", " : "", name);
		} else {
			ninl++;
			ret = hap_buf_addf(&what, "%s%s: inline %s (%s)", what.len ? "; " : "",
			                   name, kind_name(p->kind), row->desc);
		}
		if (ret) {
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (!nfile && !ninl)
		ret = hap_error_set(err, HAP_ENOTFOUND, "no %s #%lld on any instance",
		                    kind_name(p->kind), (long long)num);
	else if (mixed || (nfile && ninl))
		ret = hap_error_set(err, HAP_EINVAL,
		                    "#%lld means different things on different instances (%s); "
		                    "nothing sent: use the file name",
		                    (long long)num, what.ptr);
	else if (ninl)
		ret = hap_error_set(err, HAP_EINVAL,
		                    "#%lld is an inline %s without a file (%s): it cannot be "
		                    "addressed across instances; nothing sent",
		                    (long long)num, kind_name(p->kind), what.ptr);
	else if (hap_patterns_find(p, first->file, &f) == 0 &&
	         (ret = set_target(out, p, f, err)) == 0)
		snprintf(out->note, sizeof(out->note),
		         "#%lld is %s on %s; using the file on every instance loading it (%zu)",
		         (long long)num, first->file, where.ptr, out->holders);
out:
	hap_buf_release(&what);
	hap_buf_release(&where);
	return ret;
}

int hap_pattern_holds(const struct hap_snapshot *s, size_t i, enum hap_pat_kind kind,
                      const char *file)
{
	const struct hap_pat_ref_list *l = hap_snapshot_patterns(s, i, kind == HAP_PAT_MAP);
	size_t k;

	if (!l || hap_instance_status(s, i, NULL))
		return HAP_ENOTFOUND;
	for (k = 0; k < l->n; k++)
		if (l->refs[k].file.n && hap_view_eq(l->refs[k].file, file))
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Single commands: validation and formatting                          */
/* ------------------------------------------------------------------ */

static const char *const verb_words[] = { "show", "get", "add", "set", "del", "clear" };

/* "#0x" and 1..16 hex digits: an entry reference as "show acl|map" prints it. */
static int is_ref(const char *k)
{
	size_t n = strlen(k);

	return n > 3 && n <= 19 && memcmp(k, "#0x", 3) == 0 &&
	       strspn(k + 3, "0123456789abcdefABCDEF") == n - 3;
}

int hap_pattern_op_check(const struct hap_pattern_op *op, struct hap_error *err)
{
	int map = op->kind == HAP_PAT_MAP, need_key, need_value, ret;
	const char *keyname = map ? "map key" : "ACL pattern";

	if (op->kind != HAP_PAT_ACL && op->kind != HAP_PAT_MAP)
		return hap_error_set(err, HAP_EINVAL, "unknown pattern kind");
	if ((unsigned)op->verb > HAP_PATTERN_CLEAR)
		return hap_error_set(err, HAP_EINVAL, "unknown %s operation", kind_word(op->kind));
	if (!op->id)
		return hap_error_set(err, HAP_EINVAL, "an %s id is needed (a file, or #N)",
		                     kind_name(op->kind));
	ret = hap_cmd_check_value(map ? "map id" : "ACL id", op->id, err);
	if (ret)
		return ret;
	if (op->verb == HAP_PATTERN_SET && !map)
		return hap_error_set(err, HAP_EINVAL, "'set' is for maps only");
	need_key = op->verb == HAP_PATTERN_GET || op->verb == HAP_PATTERN_ADD ||
	           op->verb == HAP_PATTERN_SET || op->verb == HAP_PATTERN_DEL;
	need_value = map && (op->verb == HAP_PATTERN_ADD || op->verb == HAP_PATTERN_SET);
	if (need_key && !op->key)
		return hap_error_set(err, HAP_EINVAL, "%s %s: a %s is needed", verb_words[op->verb],
		                     kind_word(op->kind),
		                     op->verb == HAP_PATTERN_GET ? "value" : keyname);
	if (!need_key && op->key)
		return hap_error_set(err, HAP_EINVAL, "%s %s takes no key", verb_words[op->verb],
		                     kind_word(op->kind));
	if (need_value && !op->value)
		return hap_error_set(err, HAP_EINVAL, "%s map: a value is needed",
		                     verb_words[op->verb]);
	if (!need_value && op->value)
		return hap_error_set(err, HAP_EINVAL, "%s %s takes no value", verb_words[op->verb],
		                     kind_word(op->kind));
	if (op->key) {
		ret = hap_cmd_check_value(op->verb == HAP_PATTERN_GET ? "value" : keyname, op->key,
		                          err);
		if (ret)
			return ret;
		/* HAProxy reads "#..." in del/set as an entry reference */
		if ((op->verb == HAP_PATTERN_DEL || op->verb == HAP_PATTERN_SET) &&
		    op->key[0] == '#' && !is_ref(op->key))
			return hap_error_set(err, HAP_EINVAL,
			                     "'%s' is not an entry reference (#0x<hex> as 'show "
			                     "%s' prints it)",
			                     op->key, kind_word(op->kind));
	}
	if (op->value)
		return hap_cmd_check_value("map value", op->value, err);
	return 0;
}

/* "VERB acl|map FILE [KEY [VALUE]]" without '\n'. */
static int format_cmd(struct hap_buf *b, const struct hap_pattern_op *op, const char *file,
                      struct hap_error *err)
{
	int ret;

	hap_buf_reset(b);
	ret = hap_cmd_add_raw(b, verb_words[op->verb]);
	if (!ret)
		ret = hap_cmd_add_raw(b, kind_word(op->kind));
	if (!ret)
		ret = hap_cmd_add_word(b, file);
	if (!ret && op->key)
		ret = hap_cmd_add_word(b, op->key);
	if (!ret && op->value)
		ret = hap_cmd_add_word(b, op->value);
	if (ret)
		return hap_error_set(err, ret, "formatting the command: %s", hap_strerror(ret));
	ret = hap_cmd_end(b, err);
	if (ret)
		return ret;
	b->ptr[--b->len] = '\0';
	return 0;
}

static const struct hap_reply_table *table_of(enum hap_pat_kind kind, enum hap_pattern_verb v)
{
	int map = kind == HAP_PAT_MAP;

	switch (v) {
	case HAP_PATTERN_SHOW:
		return map ? &hap_op_show_map : &hap_op_show_acl;
	case HAP_PATTERN_GET:
		return map ? &hap_op_get_map : &hap_op_get_acl;
	case HAP_PATTERN_ADD:
		return map ? &hap_op_add_map : &hap_op_add_acl;
	case HAP_PATTERN_SET:
		return &hap_op_set_map;
	case HAP_PATTERN_DEL:
		return map ? &hap_op_del_map : &hap_op_del_acl;
	case HAP_PATTERN_CLEAR:
		return map ? &hap_op_clear_map : &hap_op_clear_acl;
	}
	return &hap_op_add_acl;
}

/*
 * Read every instance, merge the listing and resolve the id: the common
 * start of a plan, a read and a replace. HAP_EIO when no instance answered.
 */
static int resolve_fleet(struct hap_snapshot **snap, struct hap_patterns **pl, size_t *file,
                         struct hap_pattern_target *t, struct hap *h, enum hap_pat_kind kind,
                         const char *id, struct hap_error *err)
{
	size_t i, n;
	int ret;

	*snap = NULL;
	*pl = NULL;
	ret = hap_snapshot_new(snap, h, kind == HAP_PAT_MAP ? HAP_SNAP_MAPS : HAP_SNAP_ACLS, err);
	if (ret)
		return ret;
	n = hap_snapshot_instance_count(*snap);
	if (hap_snapshot_live_count(*snap) == 0) {
		const char *msg = "";

		for (i = 0; i < n; i++)
			if (hap_instance_status(*snap, i, &msg))
				break;
		return hap_error_set(err, HAP_EIO, "no instance reachable (%s: %s)",
		                     i < n ? hap_instance_name(*snap, i) : "none", msg);
	}
	ret = hap_patterns_new(pl, *snap, kind, err);
	if (!ret)
		ret = hap_patterns_resolve(t, *pl, id, err);
	if (!ret)
		ret = hap_patterns_find(*pl, t->file, file);
	return ret;
}

int hap_pattern_plan(struct hap_plan **out, struct hap_pattern_target *target, struct hap *h,
                     const struct hap_pattern_op *op, struct hap_error *err)
{
	struct hap_pattern_target t;
	struct hap_patterns *pl = NULL;
	struct hap_plan *p = NULL;
	struct hap_buf cmd = HAP_BUF_INIT;
	size_t f = 0, k;
	int ret;

	*out = NULL;
	ret = hap_pattern_op_check(op, err);
	if (ret)
		return ret;
	if (op->verb == HAP_PATTERN_SHOW || op->verb == HAP_PATTERN_GET)
		return hap_error_set(err, HAP_EINVAL, "%s is a read: use hap_pattern_read_new()",
		                     verb_words[op->verb]);
	p = calloc(1, sizeof(*p));
	if (!p)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	ret = resolve_fleet(&p->snap, &pl, &f, &t, h, op->kind, op->id, err);
	if (ret)
		goto out;
	if (target)
		*target = t;
	if (op->key && (op->verb == HAP_PATTERN_DEL || op->verb == HAP_PATTERN_SET) &&
	    is_ref(op->key) && t.holders != 1) {
		ret = hap_error_set(err, HAP_EINVAL,
		                    "%s is an entry of one instance's %s, and %zu instances load "
		                    "%s: narrow the fleet to the one it was listed on",
		                    op->key, kind_name(op->kind), t.holders, t.file);
		goto out;
	}
	ret = format_cmd(&cmd, op, t.file, err);
	if (ret)
		goto out;
	for (k = 0; k < hap_patterns_holder_count(pl, f); k++) {
		ret = hap_plan_add(p, hap_patterns_holder(pl, f, k)->instance, t.file, cmd.ptr,
		                   table_of(op->kind, op->verb));
		if (ret) {
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
			goto out;
		}
	}
	/* a clear on several instances asks first: each copy counts as an object */
	p->disruptive = op->verb == HAP_PATTERN_CLEAR;
	/* the read-back sees a restart, and reads the entries back when the
	 * listing can show the key exactly (no entry reference, no blank in a
	 * map key: "show map" separates key and value by the first blank) */
	if (hap_plan_verify(p, 0, NULL, NULL, "", HAP_VM_EXACT)) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	if (op->verb == HAP_PATTERN_CLEAR ||
	    (op->key && !is_ref(op->key) &&
	     !(op->kind == HAP_PAT_MAP && strpbrk(op->key, " \t")))) {
		p->pcheck = 1;
		p->pkind = op->kind;
		p->pverb = op->verb;
		p->pfile = strdup(t.file);
		p->pkey = op->key && op->verb != HAP_PATTERN_CLEAR ? strdup(op->key) : NULL;
		p->pvalue = op->value ? strdup(op->value) : NULL;
		if (!p->pfile || (op->key && op->verb != HAP_PATTERN_CLEAR && !p->pkey) ||
		    (op->value && !p->pvalue)) {
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
			goto out;
		}
	}
	p->nobjects = op->verb == HAP_PATTERN_CLEAR ? p->n : 1;
out:
	hap_buf_release(&cmd);
	hap_patterns_free(pl);
	if (ret) {
		hap_plan_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reads: show and get                                                 */
/* ------------------------------------------------------------------ */

struct read_inst {
	size_t inst; /* snapshot index */
	int code;
	char *msg;
	int holds;
	struct hap_buf reply;
	struct hap_pat_entry_list entries;
	const char *answer;
};

struct hap_pattern_read {
	struct hap_snapshot *snap;
	struct hap_pattern_target target;
	enum hap_pattern_verb verb;
	size_t n;
	struct read_inst *in;
};

void hap_pattern_read_free(struct hap_pattern_read *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->in[i].msg);
		hap_buf_release(&r->in[i].reply);
		hap_pat_entry_release(&r->in[i].entries);
	}
	free(r->in);
	hap_snapshot_free(r->snap);
	free(r);
}

static char *dup_msg(const char *s, size_t n)
{
	char *d;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* NUL-terminate the views of the parsed entries inside the reply we own. */
static void terminate_entries(struct read_inst *ri)
{
	char *base = ri->reply.ptr;
	size_t e;

	for (e = 0; e < ri->entries.n; e++) {
		struct hap_pat_entry *x = &ri->entries.entries[e];

		base[(size_t)(x->ref.p - base) + x->ref.n] = '\0';
		base[(size_t)(x->key.p - base) + x->key.n] = '\0';
		base[(size_t)(x->value.p - base) + x->value.n] = '\0';
	}
}

static int read_judge(struct hap_pattern_read *r, struct read_inst *ri, enum hap_pat_kind kind)
{
	struct hap_error perr = { 0, "" };
	const struct hap_reply_table *t = table_of(kind, r->verb);
	enum hap_verdict v = hap_reply_judge(t, ri->reply.ptr, ri->reply.len);

	if (v != HAP_V_APPLIED) {
		ri->code = hap_verdict_code(v);
		ri->msg = dup_msg(ri->reply.ptr, ri->reply.len);
		return ri->msg ? 0 : HAP_ENOMEM;
	}
	if (r->verb == HAP_PATTERN_GET) {
		char *nl = memchr(ri->reply.ptr, '\n', ri->reply.len);

		if (nl)
			*nl = '\0';
		ri->answer = ri->reply.ptr;
		return 0;
	}
	if (hap_pat_entry_parse(&ri->entries, ri->reply.ptr, ri->reply.len, kind == HAP_PAT_MAP,
	                        &perr)) {
		ri->code = perr.code == HAP_ENOMEM ? HAP_ENOMEM : HAP_EPROTO;
		ri->msg = dup_msg(perr.msg, strlen(perr.msg));
		return ri->msg ? 0 : HAP_ENOMEM;
	}
	terminate_entries(ri);
	return 0;
}

int hap_pattern_read_new(struct hap_pattern_read **out, struct hap *h,
                         const struct hap_pattern_op *op, struct hap_error *err)
{
	struct hap_pattern_read *r = NULL;
	struct hap_patterns *pl = NULL;
	struct hap_target *ts = NULL;
	struct hap_call *calls = NULL;
	struct hap_buf cmd = HAP_BUF_INIT;
	size_t f = 0, i, k, n, nc = 0;
	int ret;

	*out = NULL;
	ret = hap_pattern_op_check(op, err);
	if (ret)
		return ret;
	if (op->verb != HAP_PATTERN_SHOW && op->verb != HAP_PATTERN_GET)
		return hap_error_set(err, HAP_EINVAL, "%s is a change: use hap_pattern_plan()",
		                     verb_words[op->verb]);
	r = calloc(1, sizeof(*r));
	if (!r)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	r->verb = op->verb;
	ret = resolve_fleet(&r->snap, &pl, &f, &r->target, h, op->kind, op->id, err);
	if (!ret)
		ret = format_cmd(&cmd, op, r->target.file, err);
	if (ret)
		goto out;
	n = hap_snapshot_instance_count(r->snap);
	r->in = calloc(n ? n : 1, sizeof(*r->in));
	ts = calloc(n ? n : 1, sizeof(*ts));
	calls = calloc(n ? n : 1, sizeof(*calls));
	if (!r->in || !ts || !calls || hap_buf_addc(&cmd, '\n'))
		goto oom;
	for (i = 0; i < n; i++) {
		const char *msg;
		unsigned fl = hap_instance_flags(r->snap, i);
		struct read_inst *ri;

		if (fl & (HAP_INST_DUPLICATE | HAP_INST_EXCLUDED))
			continue;
		ri = &r->in[r->n++];
		ri->inst = i;
		hap_buf_init(&ri->reply, 0);
		ri->code = hap_instance_status(r->snap, i, &msg);
		if (ri->code) {
			ri->msg = dup_msg(msg, strlen(msg));
			if (!ri->msg)
				goto oom;
			continue;
		}
		ri->holds = hap_pattern_holds(r->snap, i, op->kind, r->target.file) == 1;
		if (!ri->holds) {
			ri->code = HAP_ENOTFOUND;
			ri->msg = dup_msg("does not load the file", 22);
			if (!ri->msg)
				goto oom;
			continue;
		}
		ts[nc] = *hap_snapshot_target(r->snap, i);
		calls[nc].target = nc;
		calls[nc].cmds = cmd.ptr;
		nc++;
	}
	ret = hap_round_run(h, ts, calls, nc);
	if (ret) {
		hap_error_set(err, ret, "exchange: %s", hap_strerror(ret));
		goto out;
	}
	for (i = 0, k = 0; i < r->n; i++) {
		struct read_inst *ri = &r->in[i];
		struct hap_job *j;

		if (!ri->holds)
			continue;
		j = &calls[k++].job;
		if (j->err) {
			ri->code = j->err;
			ri->msg = dup_msg(j->errmsg, strlen(j->errmsg));
			if (!ri->msg)
				goto oom;
			continue;
		}
		ri->reply = j->reply;
		hap_buf_init(&j->reply, 0);
		if (read_judge(r, ri, op->kind))
			goto oom;
	}
	goto out;
oom:
	ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
out:
	hap_calls_release(calls, nc);
	free(calls);
	free(ts);
	hap_buf_release(&cmd);
	hap_patterns_free(pl);
	if (ret) {
		hap_pattern_read_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

const struct hap_pattern_target *hap_pattern_read_target(const struct hap_pattern_read *r)
{
	return &r->target;
}

size_t hap_pattern_read_count(const struct hap_pattern_read *r)
{
	return r->n;
}

const char *hap_pattern_read_instance(const struct hap_pattern_read *r, size_t i)
{
	return hap_instance_name(r->snap, r->in[i].inst);
}

int hap_pattern_read_status(const struct hap_pattern_read *r, size_t i, const char **msg)
{
	if (msg)
		*msg = r->in[i].msg ? r->in[i].msg : "";
	return r->in[i].code;
}

size_t hap_pattern_read_entry_count(const struct hap_pattern_read *r, size_t i)
{
	return r->in[i].entries.n;
}

int hap_pattern_read_entry(struct hap_pattern_entry *out, const struct hap_pattern_read *r,
                           size_t i, size_t e)
{
	const struct hap_pat_entry *x;

	if (i >= r->n || e >= r->in[i].entries.n)
		return HAP_EINVAL;
	x = &r->in[i].entries.entries[e];
	out->ref = x->ref.p;
	out->key = x->key.p;
	out->value = x->value.n ? x->value.p : "";
	return 0;
}

const char *hap_pattern_read_answer(const struct hap_pattern_read *r, size_t i)
{
	return r->in[i].answer ? r->in[i].answer : "";
}

static int same_entries(const struct read_inst *a, const struct read_inst *b)
{
	size_t e;

	if (a->entries.n != b->entries.n)
		return 0;
	for (e = 0; e < a->entries.n; e++)
		if (!hap_view_eqv(a->entries.entries[e].key, b->entries.entries[e].key) ||
		    !hap_view_eqv(a->entries.entries[e].value, b->entries.entries[e].value))
			return 0;
	return 1;
}

int hap_pattern_read_agree(const struct hap_pattern_read *r)
{
	const struct read_inst *first = NULL;
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct read_inst *ri = &r->in[i];

		if (ri->code)
			continue;
		if (!first) {
			first = ri;
			continue;
		}
		if (r->verb == HAP_PATTERN_GET ? strcmp(first->answer, ri->answer) != 0
		                               : !same_entries(first, ri))
			return 0;
	}
	return first != NULL;
}

/* ------------------------------------------------------------------ */
/* A local file for a replace                                          */
/* ------------------------------------------------------------------ */

struct hap_pattern_file {
	enum hap_pat_kind kind;
	size_t n;
	struct hap_buf text; /* entries as sent, each NUL-terminated */
	size_t *off;         /* n + 1 offsets into text */
	size_t *line;        /* source line of each entry */
};

void hap_pattern_file_free(struct hap_pattern_file *f)
{
	if (!f)
		return;
	hap_buf_release(&f->text);
	free(f->off);
	free(f->line);
	free(f);
}

size_t hap_pattern_file_count(const struct hap_pattern_file *f)
{
	return f->n;
}

const char *hap_pattern_file_entry(const struct hap_pattern_file *f, size_t i)
{
	return f->text.ptr + f->off[i];
}

size_t hap_pattern_file_line(const struct hap_pattern_file *f, size_t i)
{
	return f->line[i];
}

static size_t entry_len(const struct hap_pattern_file *f, size_t i)
{
	return f->off[i + 1] - f->off[i] - 1;
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Append an entry: a, or "a b" when b is not NULL (a map's key and value). */
static int file_add(struct hap_pattern_file *f, size_t *cap, const char *a, size_t an,
                    const char *b, size_t bn, size_t lineno)
{
	if (f->n + 1 >= *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		size_t *o = realloc(f->off, ncap * sizeof(*o));

		if (!o)
			return HAP_ENOMEM;
		f->off = o;
		o = realloc(f->line, ncap * sizeof(*o));
		if (!o)
			return HAP_ENOMEM;
		f->line = o;
		*cap = ncap;
	}
	f->off[f->n] = f->text.len;
	f->line[f->n] = lineno;
	if (hap_buf_add(&f->text, a, an) || (b && hap_buf_addc(&f->text, ' ')) ||
	    (b && hap_buf_add(&f->text, b, bn)) || hap_buf_addc(&f->text, '\0'))
		return HAP_ENOMEM;
	f->n++;
	f->off[f->n] = f->text.len;
	return 0;
}

int hap_pattern_file_parse(struct hap_pattern_file **out, enum hap_pat_kind kind, const char *text,
                           size_t len, struct hap_error *err)
{
	struct hap_pattern_file *f = calloc(1, sizeof(*f));
	const char *p = text, *end = text + len;
	size_t lineno = 0, cap = 0;
	int ret = 0;

	*out = NULL;
	if (!f)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	f->kind = kind;
	hap_buf_init(&f->text, 0);
	f->off = calloc(1, sizeof(*f->off));
	if (!f->off) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = nl ? nl : end, *k;

		p = nl ? nl + 1 : end;
		lineno++;
		if (memchr(s, '\0', (size_t)(e - s))) {
			ret = hap_error_set(err, HAP_EINVAL, "line %zu: NUL byte", lineno);
			goto out;
		}
		if (e > s && e[-1] == '\r')
			e--;
		if (memchr(s, '\r', (size_t)(e - s))) {
			ret = hap_error_set(err, HAP_EINVAL,
			                    "line %zu: carriage return inside the line", lineno);
			goto out;
		}
		while (s < e && blank(*s))
			s++;
		if (s == e || *s == '#')
			continue;
		if ((size_t)(e - s) > LINE_MAX_BYTES) {
			ret = hap_error_set(err, HAP_EINVAL, "line %zu: longer than %d bytes",
			                    lineno, LINE_MAX_BYTES);
			goto out;
		}
		if (kind == HAP_PAT_ACL) {
			/* the pattern is the rest of the line, as HAProxy loads it */
			ret = file_add(f, &cap, s, (size_t)(e - s), NULL, 0, lineno);
		} else {
			/* the key is the first word, the value the rest after blanks:
			 * sent as "key value" (a key alone as "key ": the payload
			 * needs the blank, the value is then empty, as from a file) */
			const char *v;

			for (k = s; k < e && !blank(*k); k++)
				;
			for (v = k; v < e && blank(*v); v++)
				;
			ret = file_add(f, &cap, s, (size_t)(k - s), v, (size_t)(e - v), lineno);
		}
		if (ret) {
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
			goto out;
		}
	}
out:
	if (ret) {
		hap_pattern_file_free(f);
		return ret;
	}
	*out = f;
	return 0;
}

int hap_pattern_file_read(struct hap_pattern_file **out, enum hap_pat_kind kind, const char *path,
                          struct hap_error *err)
{
	struct hap_buf b;
	struct stat st;
	char chunk[65536];
	ssize_t n;
	int ret = 0, fd;

	*out = NULL;
	/* O_NONBLOCK: a FIFO or a device opens without waiting; then the
	 * descriptor itself is checked, so what is read is what was checked */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return hap_error_set(err, errno == ENOENT ? HAP_ENOENT : HAP_EIO, "%s: %s", path,
		                     strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = hap_error_set(err, HAP_EIO, "%s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return hap_error_set(err, HAP_EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size > (off_t)FILE_MAX) {
		close(fd);
		return hap_error_set(err, HAP_EINVAL, "%s: larger than 1 GiB", path);
	}
	/* bounded: the buffer refuses past FILE_MAX, however the file grows */
	hap_buf_init(&b, FILE_MAX);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = hap_error_set(err, HAP_EIO, "%s: read error: %s", path,
			                    strerror(errno));
			break;
		}
		if (n == 0)
			break;
		ret = hap_buf_add(&b, chunk, (size_t)n);
		if (ret) {
			ret = hap_error_set(
			        err, ret == HAP_ETOOBIG ? HAP_EINVAL : ret, "%s: %s", path,
			        ret == HAP_ETOOBIG ? "larger than 1 GiB" : "out of memory");
			break;
		}
	}
	close(fd);
	if (!ret) {
		ret = hap_pattern_file_parse(out, kind, b.ptr, b.len, err);
		if (ret && err) {
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			hap_error_set(err, ret, "%s: %s", path, msg);
		}
	}
	hap_buf_release(&b);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The replace                                                         */
/* ------------------------------------------------------------------ */

/* Length of a word once escaped by hap_cmd_add_word() (without the space). */
static size_t escaped_len(const char *w)
{
	size_t n = strlen(w), i, l = n;

	for (i = 0; i < n; i++)
		if (w[i] == '\\' || w[i] == ';' || w[i] == ' ' || w[i] == '\t')
			l++;
	if (n >= 2 && w[n - 1] == '<' && w[n - 2] == '<')
		l++;
	return l;
}

/* Bytes entry i costs in a request: a map payload line ("key value\n"), or
 * an ACL pattern, escaped, ending its command line ("...PATTERN\n"). */
static size_t entry_cost(const struct hap_pattern_file *f, size_t i)
{
	return (f->kind == HAP_PAT_ACL ? escaped_len(hap_pattern_file_entry(f, i))
	                               : entry_len(f, i)) +
	       1;
}

/*
 * The end of the request that starts at entry start: as many entries as fit
 * in budget bytes, each costing overhead (its command line's start, for
 * ACLs) plus entry_cost(). Returns start when even the first one does not
 * fit.
 */
size_t hap_pat_chunk_end(const struct hap_pattern_file *f, size_t start, size_t budget,
                         size_t overhead)
{
	size_t i = start, used = 0;

	while (i < f->n && used + overhead + entry_cost(f, i) <= budget) {
		used += overhead + entry_cost(f, i);
		i++;
	}
	return i;
}

/*
 * Judge the reply to a batch of ncmds one-line commands that all succeed
 * silently: in prompt mode "\n> " for "prompt" itself and "\n> " after each
 * command ("quit" answers nothing); without prompt (behind a master) "\n"
 * per command. 0 when the reply is exactly that; otherwise HAP_EREFUSED,
 * *failed = the command that answered something else (ncmds: extra bytes
 * after the last one), msg = what it answered ("" when the reply stops
 * there: the connection closed).
 */
int hap_pat_stream_check(const char *reply, size_t len, int prompt, size_t ncmds, size_t *failed,
                         char *msg, size_t msglen)
{
	const char *term = prompt ? "\n> " : "\n";
	size_t tl = strlen(term), pos = 0, i, m, e;

	*failed = 0;
	if (msglen)
		msg[0] = '\0';
	if (prompt) {
		if (len < tl || memcmp(reply, term, tl) != 0)
			goto bad;
		pos = tl;
	}
	for (i = 0; i < ncmds; i++, pos += tl) {
		*failed = i;
		if (len - pos < tl || memcmp(reply + pos, term, tl) != 0)
			goto bad;
	}
	*failed = ncmds;
	if (pos == len)
		return 0;
bad:
	/* HAProxy's text: up to its blank line, or the next prompt */
	for (e = pos; e < len; e++)
		if (reply[e] == '\n' &&
		    (e + 1 == len || reply[e + 1] == '\n' || (prompt && reply[e + 1] == '>')))
			break;
	m = e - pos;
	if (msglen) {
		if (m >= msglen)
			m = msglen - 1;
		memcpy(msg, reply + pos, m);
		msg[m] = '\0';
	}
	return HAP_EREFUSED;
}

enum rstate {
	RS_PLANNED = 0,
	RS_PREPARED,
	RS_LOADED,
	RS_COMMITTED, /* the commit was accepted (read back: applied, else sent) */
	RS_FAILED,
	RS_UNKNOWN,    /* commit sent, no complete reply */
	RS_SUPERSEDED, /* read back: another version is live */
};

struct rinst {
	size_t inst;  /* snapshot index */
	uint32_t ver; /* predicted, then prepared */
	enum rstate st;
	int has_ver; /* prepared: a version exists that a clear must drop */
	int code;    /* failure code */
	int sent;
	int why;       /* enum hap_why, for RS_SUPERSEDED and RS_FAILED */
	int verified;  /* read back: curr_ver is ver */
	char step[96]; /* where it failed: "prepare", "add request 3 of 12 (...)", "commit" */
	char msg[600];
	char cleanup[200];
	struct hap_buf req;
};

struct hap_pattern_replace {
	struct hap_snapshot *snap;
	struct hap_pattern_target target;
	enum hap_pat_kind kind;
	const struct hap_pattern_file *f;
	struct hap_buf fword; /* the file as one escaped word */
	size_t n;
	struct rinst *ri;
	size_t nreq;
	size_t *req_end; /* entry index ending request q */
};

void hap_pattern_replace_free(struct hap_pattern_replace *r)
{
	size_t k;

	if (!r)
		return;
	for (k = 0; r->ri && k < r->n; k++)
		hap_buf_release(&r->ri[k].req);
	free(r->ri);
	free(r->req_end);
	hap_buf_release(&r->fword);
	hap_snapshot_free(r->snap);
	free(r);
}

/*
 * Cut the entries into requests of at most REQ_MAX bytes: map payloads
 * ("add map @V FILE <<", lines, a blank line), or ACL batches ("prompt",
 * "add acl @V FILE PATTERN" lines, "quit"), each command line with the
 * longest routing prefix (pre) of the instances.
 */
static int plan_requests(struct hap_pattern_replace *r, size_t pre, struct hap_error *err)
{
	const struct hap_pattern_file *f = r->f;
	/* "add acl|map @4294967295 FILE" */
	size_t head = 8 + VER_MAX_WORD + 1 + r->fword.len, budget, overhead, i, cap = 0;

	if (r->kind == HAP_PAT_ACL) {
		overhead = pre + head + 1; /* the pattern follows a blank */
		budget = REQ_MAX - strlen("prompt\nquit\n");
	} else {
		overhead = 0;
		budget = REQ_MAX - (pre + head + 4) - 1; /* " <<\n" ... "\n" */
	}
	for (i = 0; i < f->n;) {
		size_t e = hap_pat_chunk_end(f, i, budget, overhead);

		if (e == i)
			return hap_error_set(err, HAP_EINVAL,
			                     "line %zu: the entry does not fit in one request (%d "
			                     "bytes with the command)",
			                     f->line[i], REQ_MAX);
		if (r->nreq == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			size_t *a = realloc(r->req_end, ncap * sizeof(*a));

			if (!a)
				return hap_error_set(err, HAP_ENOMEM, "out of memory");
			r->req_end = a;
			cap = ncap;
		}
		r->req_end[r->nreq++] = e;
		i = e;
	}
	return 0;
}

int hap_pattern_replace_new(struct hap_pattern_replace **out, struct hap *h, enum hap_pat_kind kind,
                            const char *id, const struct hap_pattern_file *f, struct hap_error *err)
{
	struct hap_pattern_replace *r;
	struct hap_patterns *pl = NULL;
	size_t fi = 0, k, pre = 0;
	int ret;

	*out = NULL;
	if (kind != HAP_PAT_ACL && kind != HAP_PAT_MAP)
		return hap_error_set(err, HAP_EINVAL, "unknown pattern kind");
	if (!id)
		return hap_error_set(err, HAP_EINVAL, "an %s id is needed (a file, or #N)",
		                     kind_name(kind));
	if (f->kind != kind)
		return hap_error_set(err, HAP_EINVAL, "the file was parsed as %s entries, not %s",
		                     kind_name(f->kind), kind_name(kind));
	ret = hap_cmd_check_value(kind == HAP_PAT_MAP ? "map id" : "ACL id", id, err);
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	r->kind = kind;
	r->f = f;
	hap_buf_init(&r->fword, 0);
	ret = resolve_fleet(&r->snap, &pl, &fi, &r->target, h, kind, id, err);
	if (ret)
		goto out;
	if (hap_cmd_add_word(&r->fword, r->target.file)) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	r->n = hap_patterns_holder_count(pl, fi);
	r->ri = calloc(r->n ? r->n : 1, sizeof(*r->ri));
	if (!r->ri) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < r->n; k++) {
		const struct hap_pattern_ref *row = hap_patterns_holder(pl, fi, k);
		size_t l = strlen(hap_snapshot_target(r->snap, row->instance)->prefix);

		r->ri[k].inst = row->instance;
		/* "prepare" makes next_ver + 1 (u32, wrapping): the dry run shows it */
		r->ri[k].ver = (uint32_t)((uint64_t)(row->next_ver < 0 ? 0 : row->next_ver) + 1);
		hap_buf_init(&r->ri[k].req, 0);
		pre = l > pre ? l : pre;
	}
	ret = plan_requests(r, pre, err);
out:
	hap_patterns_free(pl);
	if (ret) {
		hap_pattern_replace_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

const struct hap_pattern_target *hap_pattern_replace_target(const struct hap_pattern_replace *r)
{
	return &r->target;
}

const struct hap_snapshot *hap_pattern_replace_snapshot(const struct hap_pattern_replace *r)
{
	return r->snap;
}

size_t hap_pattern_replace_count(const struct hap_pattern_replace *r)
{
	return r->n;
}

size_t hap_pattern_replace_instance_index(const struct hap_pattern_replace *r, size_t k)
{
	return r->ri[k].inst;
}

const char *hap_pattern_replace_instance(const struct hap_pattern_replace *r, size_t k)
{
	return hap_instance_name(r->snap, r->ri[k].inst);
}

size_t hap_pattern_replace_requests(const struct hap_pattern_replace *r)
{
	return r->nreq;
}

uint32_t hap_pattern_replace_version(const struct hap_pattern_replace *r, size_t k)
{
	return r->ri[k].ver;
}

/* "[PREFIX]VERB acl|map [@V] FILE" (no '\n'). */
static int add_cmd(struct hap_buf *b, const struct hap_pattern_replace *r, const char *prefix,
                   const char *verb, const uint32_t *ver)
{
	int ret = hap_buf_adds(b, prefix);

	if (!ret)
		ret = hap_buf_addf(b, "%s %s ", verb, kind_word(r->kind));
	if (!ret && ver)
		ret = hap_buf_addf(b, "@%lu ", (unsigned long)*ver);
	if (!ret)
		ret = hap_buf_add(b, r->fword.ptr, r->fword.len);
	return ret;
}

static size_t req_first(const struct hap_pattern_replace *r, size_t q)
{
	return q ? r->req_end[q - 1] : 0;
}

/*
 * Append request q to b: a map payload (the routing prefix on the command
 * line only, never on payload lines), or a batch of ACL commands, framed by
 * "prompt" and "quit" when prompt is set.
 */
static int add_request(struct hap_buf *b, const struct hap_pattern_replace *r, size_t q,
                       const char *prefix, uint32_t ver, int prompt)
{
	const struct hap_pattern_file *f = r->f;
	size_t i;
	int ret = 0;

	if (r->kind == HAP_PAT_ACL) {
		if (prompt)
			ret = hap_buf_adds(b, "prompt\n");
		for (i = req_first(r, q); !ret && i < r->req_end[q]; i++) {
			ret = add_cmd(b, r, prefix, "add", &ver);
			if (!ret)
				ret = hap_cmd_add_word(b, hap_pattern_file_entry(f, i));
			if (!ret)
				ret = hap_buf_addc(b, '\n');
		}
		if (!ret && prompt)
			ret = hap_buf_adds(b, "quit\n");
		return ret;
	}
	ret = add_cmd(b, r, prefix, "add", &ver);
	if (!ret)
		ret = hap_buf_adds(b, " <<\n");
	for (i = req_first(r, q); !ret && i < r->req_end[q]; i++) {
		ret = hap_buf_add(b, hap_pattern_file_entry(f, i), entry_len(f, i));
		if (!ret)
			ret = hap_buf_addc(b, '\n');
	}
	return ret ? ret : hap_buf_addc(b, '\n');
}

int hap_pattern_replace_commands(char **out, size_t *len, const struct hap_pattern_replace *r,
                                 size_t k, struct hap_error *err)
{
	struct hap_buf b = HAP_BUF_INIT;
	size_t q;
	int ret;

	*out = NULL;
	*len = 0;
	ret = add_cmd(&b, r, "", "prepare", NULL);
	if (!ret)
		ret = hap_buf_addc(&b, '\n');
	for (q = 0; !ret && q < r->nreq; q++)
		ret = add_request(&b, r, q, "", r->ri[k].ver, 0);
	if (!ret)
		ret = add_cmd(&b, r, "", "commit", &r->ri[k].ver);
	if (!ret)
		ret = hap_buf_addc(&b, '\n');
	if (ret) {
		hap_buf_release(&b);
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	}
	*out = hap_buf_detach(&b, len);
	if (!*out)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	return 0;
}

static void fail(struct rinst *x, int code, const char *step, const char *msg)
{
	x->st = RS_FAILED;
	x->code = code;
	snprintf(x->step, sizeof(x->step), "%s", step);
	snprintf(x->msg, sizeof(x->msg), "%s", msg);
}

/*
 * One single-line command on each listed instance (which[k] set), in
 * parallel; judged by t. verb "prepare", "commit" or "clear". On return,
 * codes[k] and msgs[k] (HAProxy's reply, trimmed) for each.
 */
static int round_run(struct hap *h, struct hap_pattern_replace *r, const char *verb,
                     const struct hap_reply_table *t, const unsigned char *which, int *codes,
                     struct hap_buf *replies)
{
	struct hap_target *ts = calloc(r->n ? r->n : 1, sizeof(*ts));
	struct hap_call *calls = calloc(r->n ? r->n : 1, sizeof(*calls));
	size_t *map = calloc(r->n ? r->n : 1, sizeof(*map));
	size_t k, nc = 0;
	int ret = 0;

	if (!ts || !calls || !map) {
		ret = HAP_ENOMEM;
		goto out;
	}
	for (k = 0; k < r->n; k++) {
		struct rinst *x = &r->ri[k];
		int with_ver = strcmp(verb, "prepare") != 0;

		if (!which[k])
			continue;
		hap_buf_reset(&x->req);
		ret = add_cmd(&x->req, r, "", verb, with_ver ? &x->ver : NULL);
		if (!ret)
			ret = hap_buf_addc(&x->req, '\n');
		if (ret)
			goto out;
		ts[nc] = *hap_snapshot_target(r->snap, x->inst);
		calls[nc].target = nc;
		calls[nc].cmds = x->req.ptr;
		calls[nc].judge = t;
		map[nc++] = k;
	}
	ret = hap_round_run(h, ts, calls, nc);
	if (ret)
		goto out;
	for (k = 0; k < nc; k++) {
		struct hap_job *j = &calls[k].job;
		size_t x = map[k];

		r->ri[x].sent |= calls[k].sent;
		hap_buf_reset(&replies[x]);
		codes[x] = calls[k].code;
		if (j->err || !j->reply.len) {
			ret = hap_buf_adds(&replies[x], j->errmsg);
		} else {
			size_t n = j->reply.len;

			while (n && (j->reply.ptr[n - 1] == '\n' || j->reply.ptr[n - 1] == '\r'))
				n--;
			ret = hap_buf_add(&replies[x], j->reply.ptr, n);
		}
		if (ret)
			goto out;
	}
out:
	hap_calls_release(calls, nc);
	free(calls);
	free(ts);
	free(map);
	return ret;
}

/* "New version created: 4" -> 4. */
static int parse_version(const char *s, uint32_t *out)
{
	const char *p = "New version created: ";
	int64_t v;

	if (strncmp(s, p, strlen(p)) != 0 || hap_num_parse_i64(s + strlen(p), &v) || v < 0 ||
	    v > (int64_t)UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Which entries request q carried (or entry idx of it, for an ACL batch). */
static void request_step(const struct hap_pattern_replace *r, size_t q, size_t idx, char *out,
                         size_t n)
{
	const struct hap_pattern_file *f = r->f;
	size_t first = req_first(r, q), last = r->req_end[q] - 1;

	if (r->kind == HAP_PAT_ACL && first + idx <= last)
		snprintf(out, n, "add request %zu of %zu (line %zu)", q + 1, r->nreq,
		         f->line[first + idx]);
	else if (first == last)
		snprintf(out, n, "add request %zu of %zu (line %zu)", q + 1, r->nreq,
		         f->line[first]);
	else
		snprintf(out, n, "add request %zu of %zu (lines %zu-%zu)", q + 1, r->nreq,
		         f->line[first], f->line[last]);
}

/* Judge the reply of request q on instance x. */
static void load_judge(struct hap_pattern_replace *r, struct rinst *x, size_t q,
                       const struct hap_job *j, int prompt)
{
	char text[400], step[96];
	size_t idx = 0;

	x->sent = 1;
	if (j->err) {
		request_step(r, q, r->req_end[q], step, sizeof(step));
		fail(x, j->err, step, j->errmsg);
		return;
	}
	if (r->kind == HAP_PAT_MAP) {
		enum hap_verdict v = hap_reply_judge(&hap_op_add_map, j->reply.ptr, j->reply.len);
		size_t n = j->reply.len;

		if (v == HAP_V_APPLIED)
			return;
		while (n && (j->reply.ptr[n - 1] == '\n' || j->reply.ptr[n - 1] == '\r'))
			n--;
		snprintf(text, sizeof(text), "%.*s", (int)(n < 399 ? n : 399), j->reply.ptr);
		request_step(r, q, 0, step, sizeof(step));
		fail(x, hap_verdict_code(v), step, n ? text : "no reply (request dropped)");
		return;
	}
	if (!hap_pat_stream_check(j->reply.ptr, j->reply.len, prompt,
	                          r->req_end[q] - req_first(r, q), &idx, text, sizeof(text)))
		return;
	request_step(r, q, idx, step, sizeof(step));
	fail(x, *text ? HAP_EREFUSED : HAP_EPROTO, step,
	     *text ? text : "the connection closed before every command was answered");
}

/*
 * Load every entry into each instance's prepared version: request q of
 * every instance in one parallel round, then request q + 1, so that each
 * instance gets its entries in the file's order and a failure anywhere
 * stops the load everywhere (nothing will be committed) after one round.
 */
static int load_run(struct hap *h, struct hap_pattern_replace *r)
{
	struct hap_target *ts = calloc(r->n ? r->n : 1, sizeof(*ts));
	struct hap_call *calls = calloc(r->n ? r->n : 1, sizeof(*calls));
	size_t *map = calloc(r->n ? r->n : 1, sizeof(*map));
	size_t k, q, nj = 0, nfail = 0;
	int ret = 0;

	if (!ts || !calls || !map) {
		ret = HAP_ENOMEM;
		goto out;
	}
	for (q = 0; q < r->nreq && !nfail; q++) {
		nj = 0;
		for (k = 0; k < r->n; k++) {
			struct rinst *x = &r->ri[k];
			const struct hap_target *t = hap_snapshot_target(r->snap, x->inst);

			if (x->st != RS_PREPARED)
				continue;
			hap_buf_reset(&x->req);
			ret = add_request(&x->req, r, q, t->prefix, x->ver, t->prefix[0] == '\0');
			if (ret)
				goto out;
			ts[nj] = *t;
			memset(&calls[nj], 0, sizeof(calls[nj]));
			calls[nj].target = nj;
			calls[nj].cmds = x->req.ptr;
			calls[nj].cmds_len = x->req.len;
			calls[nj].raw = 1;
			map[nj++] = k;
		}
		ret = hap_round_run(h, ts, calls, nj);
		if (ret)
			goto out;
		for (k = 0; k < nj; k++) {
			struct rinst *x = &r->ri[map[k]];
			const struct hap_target *t = hap_snapshot_target(r->snap, x->inst);

			load_judge(r, x, q, &calls[k].job, t->prefix[0] == '\0');
			nfail += x->st == RS_FAILED;
		}
		hap_calls_release(calls, nj);
		nj = 0;
	}
	for (k = 0; k < r->n; k++)
		if (r->ri[k].st == RS_PREPARED)
			r->ri[k].st = nfail ? RS_PREPARED : RS_LOADED;
out:
	hap_calls_release(calls, nj);
	free(calls);
	free(ts);
	free(map);
	return ret;
}

/* Instance k's row of the file in a listing snapshot: 0 when found. */
static int listing_row(const struct hap_pattern_replace *r, const struct hap_snapshot *s,
                       const struct hap_patterns *pl, size_t k, struct hap_pattern_ref *out,
                       int64_t *pid)
{
	const char *name = hap_pattern_replace_instance(r, k);
	size_t f, j;

	if (!pl || hap_patterns_find(pl, r->target.file, &f))
		return -1;
	for (j = 0; j < hap_patterns_holder_count(pl, f); j++) {
		const struct hap_pattern_ref *row = hap_patterns_holder(pl, f, j);
		struct hap_value v;

		if (strcmp(hap_instance_name(s, row->instance), name) != 0)
			continue;
		*out = *row;
		*pid = hap_snapshot_info(&v, s, row->instance, "Pid") == 0 &&
		                       v.kind == HAP_VALUE_NUMBER
		               ? v.num
		               : -1;
		return 0;
	}
	return -1;
}

/* Instance k is a master's worker that is no longer listed while its
 * master answered (another worker of that master is in s). */
static int worker_gone(const struct hap_pattern_replace *r, const struct hap_snapshot *s, size_t k)
{
	const char *name = hap_pattern_replace_instance(r, k), *at = strstr(name, " @!");
	size_t i, n;

	if (!s || !at)
		return 0;
	n = (size_t)(at - name) + 3;
	for (i = 0; i < hap_snapshot_instance_count(s); i++) {
		const char *o = hap_instance_name(s, i);

		if (strcmp(o, name) == 0)
			return 0;
	}
	for (i = 0; i < hap_snapshot_instance_count(s); i++)
		if (strncmp(hap_instance_name(s, i), name, n) == 0 &&
		    !hap_instance_status(s, i, NULL))
			return 1;
	return 0;
}

static int64_t snap_pid(const struct hap_snapshot *s, size_t i)
{
	struct hap_value v;

	return hap_snapshot_info(&v, s, i, "Pid") == 0 && v.kind == HAP_VALUE_NUMBER ? v.num : -1;
}

/* a is a later version than b (versions are u32 and wrap) */
static int ver_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/*
 * After the commit round: read every instance's listing back (the listing
 * only: curr_ver, never the entries) and settle each committed or unknown
 * instance: applied when curr_ver is its version, superseded when another
 * writer's later version is live or the process restarted, still unknown
 * (re-read until the deadline) when the old version is still live.
 */
static int commit_check(struct hap *h, struct hap_pattern_replace *r)
{
	int64_t end = hap_now_us() + (int64_t)h->xopts.timeout_ms * 1000;
	size_t k, pending;
	int ret = 0;

	do {
		struct hap_snapshot *s = NULL;
		struct hap_patterns *pl = NULL;
		struct hap_error e2 = { 0, "" };

		ret = hap_snapshot_new(&s, h,
		                       r->kind == HAP_PAT_MAP ? HAP_SNAP_MAPS : HAP_SNAP_ACLS, &e2);
		if (ret == HAP_ENOMEM)
			return ret;
		if (!ret && hap_patterns_new(&pl, s, r->kind, &e2) == HAP_ENOMEM) {
			hap_snapshot_free(s);
			return HAP_ENOMEM;
		}
		pending = 0;
		for (k = 0; k < r->n; k++) {
			struct rinst *x = &r->ri[k];
			struct hap_pattern_ref row;
			int64_t pid;

			if ((x->st != RS_COMMITTED && x->st != RS_UNKNOWN) || x->verified)
				continue;
			if (listing_row(r, s, pl, k, &row, &pid) && worker_gone(r, s, k)) {
				x->st = RS_SUPERSEDED;
				x->why = HAP_WHY_RESTARTED;
				snprintf(x->msg, sizeof(x->msg),
				         "the worker is gone (the master reloaded): version %lu is "
				         "not live",
				         (unsigned long)x->ver);
				continue;
			}
			if (listing_row(r, s, pl, k, &row, &pid)) {
				snprintf(x->cleanup, sizeof(x->cleanup),
				         "could not read curr_ver back%s%s", e2.msg[0] ? ": " : "",
				         e2.msg);
				continue;
			}
			x->cleanup[0] = '\0';
			if (pid != snap_pid(r->snap, x->inst)) {
				x->st = RS_SUPERSEDED;
				x->why = HAP_WHY_RESTARTED;
				snprintf(x->msg, sizeof(x->msg),
				         "the instance restarted (pid %lld, now %lld): version %lu "
				         "is not live (curr_ver=%lld)",
				         (long long)snap_pid(r->snap, x->inst), (long long)pid,
				         (unsigned long)x->ver, (long long)row.curr_ver);
			} else if (row.curr_ver == (int64_t)x->ver) {
				x->st = RS_COMMITTED;
				x->verified = 1;
			} else if (row.curr_ver >= 0 && ver_after((uint32_t)row.curr_ver, x->ver)) {
				x->st = RS_SUPERSEDED;
				x->why = HAP_WHY_CHANGED;
				snprintf(x->msg, sizeof(x->msg),
				         "another writer's version %lld is live, not %lu "
				         "(entry_cnt=%lld)",
				         (long long)row.curr_ver, (unsigned long)x->ver,
				         (long long)row.entries);
			} else {
				/* the old version is still live: not yet, or not at all */
				snprintf(x->msg, sizeof(x->msg),
				         "read back: curr_ver=%lld, not %lu",
				         (long long)row.curr_ver, (unsigned long)x->ver);
				if (x->st == RS_COMMITTED) {
					x->st = RS_SUPERSEDED;
					x->why = HAP_WHY_CHANGED;
				} else {
					pending++;
				}
			}
		}
		hap_patterns_free(pl);
		hap_snapshot_free(s);
		if (pending) {
			struct timespec ts = { 0, 100 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	} while (pending && hap_now_us() < end);
	return 0;
}

/*
 * Before the commit: read the listings (not the entries). When another
 * writer prepared a version of the file after ours on any instance, it is
 * replacing the same file now and its commit would land after ours there:
 * committing ours anyway could leave the fleet split. Every loaded
 * instance is then not committed (superseded by the later writer), and
 * its version is cleared.
 */
static int yield_check(struct hap *h, struct hap_pattern_replace *r)
{
	struct hap_snapshot *s = NULL;
	struct hap_patterns *pl = NULL;
	struct hap_error e2 = { 0, "" };
	char why[600] = "";
	size_t k;
	int ret;

	ret = hap_snapshot_new(&s, h, r->kind == HAP_PAT_MAP ? HAP_SNAP_MAPS : HAP_SNAP_ACLS, &e2);
	if (ret == HAP_ENOMEM)
		return ret;
	if (!ret && hap_patterns_new(&pl, s, r->kind, &e2) == HAP_ENOMEM) {
		hap_snapshot_free(s);
		return HAP_ENOMEM;
	}
	for (k = 0; k < r->n && !why[0]; k++) {
		const struct rinst *x = &r->ri[k];
		struct hap_pattern_ref row;
		int64_t pid;

		if (x->st != RS_LOADED || listing_row(r, s, pl, k, &row, &pid))
			continue;
		if (row.next_ver >= 0 && ver_after((uint32_t)row.next_ver, x->ver))
			snprintf(why, sizeof(why),
			         "not committed: another writer prepared version %lld after ours "
			         "(%lu) on %s and will commit it",
			         (long long)row.next_ver, (unsigned long)x->ver,
			         hap_pattern_replace_instance(r, k));
	}
	for (k = 0; why[0] && k < r->n; k++) {
		struct rinst *x = &r->ri[k];

		if (x->st != RS_LOADED)
			continue;
		fail(x, HAP_ESUPERSEDED, "commit", why);
		x->why = HAP_WHY_CHANGED;
	}
	hap_patterns_free(pl);
	hap_snapshot_free(s);
	return 0;
}

/*
 * The prepares sent without a complete reply: the version may exist. Read
 * the listing: next_ver at the version this writer predicted (the lock keeps
 * other writers of this host out) is the one it created, to clear; next_ver
 * one before it: none was created. Anything else is said, not cleared.
 */
static int prepare_check(struct hap *h, struct hap_pattern_replace *r, const int *codes)
{
	struct hap_snapshot *s = NULL;
	struct hap_patterns *pl = NULL;
	struct hap_error e2 = { 0, "" };
	size_t k;
	int ret;

	ret = hap_snapshot_new(&s, h, r->kind == HAP_PAT_MAP ? HAP_SNAP_MAPS : HAP_SNAP_ACLS, &e2);
	if (ret == HAP_ENOMEM)
		return ret;
	if (!ret && hap_patterns_new(&pl, s, r->kind, &e2) == HAP_ENOMEM) {
		hap_snapshot_free(s);
		return HAP_ENOMEM;
	}
	for (k = 0; k < r->n; k++) {
		struct rinst *x = &r->ri[k];
		struct hap_pattern_ref row;
		int64_t pid;

		if (codes[k] != HAP_EUNKNOWN || !x->sent || x->has_ver)
			continue;
		if (!s || listing_row(r, s, pl, k, &row, &pid) || row.next_ver < 0)
			snprintf(x->cleanup, sizeof(x->cleanup),
			         "the listing could not be read: version %lu may be left",
			         (unsigned long)x->ver);
		else if ((uint32_t)row.next_ver == x->ver)
			x->has_ver = 1; /* created: cleared with the others */
		else if ((uint32_t)row.next_ver == x->ver - 1)
			snprintf(x->cleanup, sizeof(x->cleanup), "no version was created");
		else
			snprintf(x->cleanup, sizeof(x->cleanup),
			         "next_ver is %lld, not %lu: not cleared (another writer's?)",
			         (long long)row.next_ver, (unsigned long)x->ver);
	}
	hap_patterns_free(pl);
	hap_snapshot_free(s);
	return 0;
}

/*
 * The clears that did not answer in time: read "show acl|map @V FILE" back
 * until it is empty (cleared) or the deadline passes.
 */
static int clear_check(struct hap *h, struct hap_pattern_replace *r, const unsigned char *which,
                       int *codes, struct hap_buf *replies)
{
	int64_t end = hap_now_us() + (int64_t)h->xopts.timeout_ms * 2000;
	size_t k, pending;
	int ret = 0;

	do {
		unsigned char *w = calloc(r->n ? r->n : 1, 1);

		if (!w)
			return HAP_ENOMEM;
		pending = 0;
		for (k = 0; k < r->n; k++)
			if (which[k] && codes[k] == HAP_EUNKNOWN)
				w[k] = 1, pending++;
		if (pending) {
			int *c2 = calloc(r->n, sizeof(*c2));
			struct hap_buf *rep = calloc(r->n, sizeof(*rep));

			for (k = 0; rep && k < r->n; k++)
				hap_buf_init(&rep[k], 0);
			ret = !c2 || !rep ? HAP_ENOMEM : round_run(h, r, "show", NULL, w, c2, rep);
			for (k = 0; !ret && k < r->n; k++) {
				if (!w[k] || c2[k])
					continue;
				if (rep[k].len == 0) {
					codes[k] = 0; /* the version holds nothing: cleared */
					hap_buf_reset(&replies[k]);
					pending--;
				}
			}
			for (k = 0; rep && k < r->n; k++)
				hap_buf_release(&rep[k]);
			free(rep);
			free(c2);
		}
		free(w);
		if (ret)
			return ret;
		if (pending) {
			struct timespec ts = { 0, 100 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	} while (pending && hap_now_us() < end);
	return 0;
}

int hap_pattern_replace_apply(struct hap_result **out, struct hap *h, struct hap_pattern_replace *r,
                              struct hap_error *err)
{
	const int map = r->kind == HAP_PAT_MAP;
	unsigned char *which = calloc(r->n ? r->n : 1, 1);
	int *codes = calloc(r->n ? r->n : 1, sizeof(*codes));
	struct hap_buf *replies = calloc(r->n ? r->n : 1, sizeof(*replies));
	struct hap_result *res = calloc(1, sizeof(*res));
	struct hap_buf failed_names = HAP_BUF_INIT, cmd = HAP_BUF_INIT;
	struct hap_locks *locks = NULL;
	size_t k, nfail = 0;
	int ret = 0;

	*out = NULL;
	if (!which || !codes || !replies || !res)
		goto oom;
	for (k = 0; k < r->n; k++)
		hap_buf_init(&replies[k], 0);
	/* one writer per file from this host, from prepare to the last read-back */
	if (!(h->opts.flags & HAP_OPT_NO_LOCK)) {
		const char *obj = r->target.file;

		ret = hap_locks_take(&locks, &obj, 1,
		                     hap_locks_wait_ms(h->xopts.timeout_ms, h->xopts.end_us), err);
		if (ret)
			goto out;
	}

	/* 1. prepare everywhere */
	for (k = 0; k < r->n; k++) {
		r->ri[k].st = RS_PLANNED;
		which[k] = 1;
	}
	ret = round_run(h, r, "prepare", map ? &hap_op_prepare_map : &hap_op_prepare_acl, which,
	                codes, replies);
	if (ret)
		goto fleet;
	for (k = 0; k < r->n; k++) {
		struct rinst *x = &r->ri[k];

		if (!codes[k] && !parse_version(replies[k].ptr, &x->ver)) {
			x->st = RS_PREPARED;
			x->has_ver = 1;
		} else {
			fail(x, codes[k] ? codes[k] : HAP_EPROTO, "prepare", replies[k].ptr);
		}
	}
	for (k = 0; k < r->n; k++)
		nfail += r->ri[k].st == RS_FAILED;
	/* 1b. a prepare without a complete reply is unknown: find the version
	 * it may have made, so that step 4 clears it */
	for (k = 0; k < r->n; k++)
		if (codes[k] == HAP_EUNKNOWN && r->ri[k].sent)
			break;
	if (k < r->n) {
		ret = prepare_check(h, r, codes);
		if (ret)
			goto fleet;
	}

	/* 2. every entry, in rounds of one request per instance */
	if (!nfail) {
		ret = load_run(h, r);
		if (ret)
			goto fleet;
		for (k = 0; k < r->n; k++)
			nfail += r->ri[k].st == RS_FAILED;
	}

	/* 2b. another writer (another host) preparing the same file after us
	 * would win on some instances and lose on others: yield to it */
	if (!nfail) {
		ret = yield_check(h, r);
		if (ret)
			goto fleet;
		for (k = 0; k < r->n; k++)
			nfail += r->ri[k].st == RS_FAILED;
	}

	/* 3. commit everywhere (only when every instance took everything) */
	memset(which, 0, r->n);
	for (k = 0; k < r->n; k++)
		which[k] = !nfail && r->ri[k].st == RS_LOADED;
	if (!nfail) {
		ret = round_run(h, r, "commit", map ? &hap_op_commit_map : &hap_op_commit_acl,
		                which, codes, replies);
		if (ret)
			goto fleet;
		for (k = 0; k < r->n; k++) {
			struct rinst *x = &r->ri[k];

			if (!which[k])
				continue;
			if (codes[k] == HAP_EUNKNOWN) {
				x->st = RS_UNKNOWN;
				x->code = HAP_EUNKNOWN;
				snprintf(x->step, sizeof(x->step), "commit");
				snprintf(x->msg, sizeof(x->msg), "%s", replies[k].ptr);
			} else if (codes[k]) {
				fail(x, codes[k], "commit", replies[k].ptr);
			} else {
				x->st = RS_COMMITTED;
			}
		}
		/* what is live now: the listing only (curr_ver), never the entries */
		if (!(h->opts.flags & HAP_OPT_NO_VERIFY)) {
			ret = commit_check(h, r);
			if (ret)
				goto fleet;
		}
	}

	/* 4. clear every prepared version that will not be committed */
	for (k = 0; k < r->n; k++) {
		const struct rinst *x = &r->ri[k];

		which[k] = x->has_ver &&
		           (x->st == RS_FAILED || x->st == RS_PREPARED || x->st == RS_LOADED ||
		            (x->st == RS_SUPERSEDED && x->why == HAP_WHY_CHANGED && !x->verified));
	}
	if (memchr(which, 1, r->n)) {
		ret = round_run(h, r, "clear", map ? &hap_op_clear_map : &hap_op_clear_acl, which,
		                codes, replies);
		/* a clear that did not answer in time is read back, not misreported */
		if (!ret)
			ret = clear_check(h, r, which, codes, replies);
		if (ret)
			goto fleet;
		for (k = 0; k < r->n; k++) {
			struct rinst *x = &r->ri[k];
			size_t c = strlen(x->cleanup);

			if (!which[k])
				continue;
			if (codes[k])
				snprintf(x->cleanup + c, sizeof(x->cleanup) - c,
				         "%sversion %lu left (clear %s: %s)", c ? "; " : "",
				         (unsigned long)x->ver,
				         codes[k] == HAP_EUNKNOWN ? "not confirmed" : "failed",
				         replies[k].ptr);
			else
				snprintf(x->cleanup + c, sizeof(x->cleanup) - c,
				         "%sversion %lu cleared", c ? "; " : "",
				         (unsigned long)x->ver);
		}
	}

	/* the report, one entry per instance */
	for (k = 0; k < r->n; k++)
		if (r->ri[k].st == RS_FAILED &&
		    hap_buf_addf(&failed_names, "%s%s", failed_names.len ? ", " : "",
		                 hap_pattern_replace_instance(r, k)))
			goto oom;
	for (k = 0; k < r->n; k++) {
		struct rinst *x = &r->ri[k];
		char m[1600];
		int code = 0, outcome = -1;

		hap_buf_reset(&cmd);
		if (x->st == RS_COMMITTED) {
			snprintf(m, sizeof(m),
			         "committed version %lu: %zu entries in %zu requests%s%s",
			         (unsigned long)x->ver, r->f->n, r->nreq,
			         x->verified ? "" : (x->cleanup[0] ? "; " : "; not read back"),
			         x->verified ? "" : x->cleanup);
			if (!x->verified)
				outcome = HAP_OUT_SENT;
			ret = add_cmd(&cmd, r, "", "commit", &x->ver);
		} else if (x->st == RS_UNKNOWN) {
			code = HAP_EUNKNOWN;
			snprintf(m, sizeof(m), "commit of version %lu: no complete reply (%s)%s%s",
			         (unsigned long)x->ver, x->msg, x->cleanup[0] ? "; " : "",
			         x->cleanup);
			ret = add_cmd(&cmd, r, "", "commit", &x->ver);
		} else if (x->st == RS_SUPERSEDED) {
			code = HAP_ESUPERSEDED;
			snprintf(m, sizeof(m), "%s%s%s", x->msg, x->cleanup[0] ? "; " : "",
			         x->cleanup);
			ret = add_cmd(&cmd, r, "", "commit", &x->ver);
		} else if (x->st == RS_FAILED) {
			code = x->code;
			snprintf(m, sizeof(m), "%s: %s%s%s", x->step, x->msg,
			         x->cleanup[0] ? "; " : "", x->cleanup);
			ret = strcmp(x->step, "prepare") == 0
			              ? add_cmd(&cmd, r, "", "prepare", NULL)
			              : add_cmd(&cmd, r, "",
			                        strcmp(x->step, "commit") == 0 ? "commit" : "add",
			                        &x->ver);
		} else {
			code = HAP_ERROR;
			snprintf(m, sizeof(m), "version %lu not committed: %s failed%s%s",
			         (unsigned long)x->ver, failed_names.ptr ? failed_names.ptr : "",
			         x->cleanup[0] ? "; " : "", x->cleanup);
			ret = add_cmd(&cmd, r, "", "prepare", NULL);
		}
		if (ret || hap_result_add(res, hap_pattern_replace_instance(r, k), r->target.file,
		                          cmd.ptr, code, m, strlen(m), x->sent))
			goto oom;
		if (outcome >= 0 || x->why)
			if (hap_result_judged(res, k, code,
			                      outcome >= 0 ? outcome : hap_outcome_of(code), x->why,
			                      NULL, NULL))
				goto oom;
	}
	goto out;
fleet:
	ret = hap_error_set(err, ret, "exchange: %s", hap_strerror(ret));
	goto out;
oom:
	ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
out:
	for (k = 0; replies && k < r->n; k++)
		hap_buf_release(&replies[k]);
	free(replies);
	free(which);
	free(codes);
	hap_buf_release(&failed_names);
	hap_buf_release(&cmd);
	hap_locks_release(locks);
	if (ret) {
		hap_result_free(res);
		return ret;
	}
	*out = res;
	return 0;
}
