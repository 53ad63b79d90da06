/*
 * snapshot.c - one parallel read of every instance, merged by name.
 *
 * Owns: the round of "show info" + "show stat" (one connection per
 * instance, both commands in one request), instance identity (node, Pid,
 * Start_time_sec: two sockets of one process count once), the merge of rows
 * into objects keyed by (type, proxy[, server]), and the evaluation of
 * values per instance or aggregated by the rule table.
 *
 * Memory: the replies are kept whole and rows are views into them; fields
 * are split only when a value is asked for, so a snapshot costs little more
 * than the bytes HAProxy sent.
 *
 * Must never: pick one instance's value when they differ (that is
 * HAP_VALUE_DISAGREE), or count a duplicate instance twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/fleet.h"
#include "model/rules.h"
#include "model/snapshot.h"
#include "ops/round.h"
#include "parse/parse.h"
#include "proto/command.h"
#include "util/arena.h"
#include "util/hmap.h"
#include "util/view.h"
#include "util/banned.h"

struct snap_inst {
	const char *name;
	int level;
	int err;
	const char *errmsg;
	unsigned flags;
	size_t dup_of;
	struct hap_buf reply;
	int has_info, has_stat, has_pat[2];
	int srvstate; /* the rows are "show servers state" (HAP_SNAP_SRVSTATE) */
	struct hap_info info;
	struct hap_stat stat;
	struct hap_pat_ref_list pat[2]; /* show acl, show map */
	int *colmap;                    /* field id -> column of this instance's header, or -1 */
};

/* A row of an object: the instance, and the CSV line itself (a view into
 * the instance's reply), so the parser's row index can be freed once merged. */
struct snap_row {
	const char *line;
	uint32_t len;
	uint32_t inst;
};

struct hap_object {
	struct hap_snapshot *s;
	enum hap_obj type;
	const char *name;
	const char *backend;
	size_t first, n; /* rows in s->rows */
};

struct hap_snapshot {
	struct hap_arena arena;
	struct hap_budget *budget;  /* the fleet's reply budget, charged with */
	size_t charged;             /* the bytes of the replies kept here */
	struct hap_target *targets; /* one per instance */
	unsigned opt_flags;
	size_t ninst;
	struct snap_inst *insts;
	/* show stat fields: union of every instance's columns */
	size_t nfields;
	const char **fields;
	struct hap_hmap field_map;
	enum hap_rule *rules[3]; /* per object type, per field */
	/* show info keys */
	size_t ninfo;
	const char **info_keys;
	struct hap_hmap info_map;
	/* objects */
	size_t nobjs;
	struct hap_object *objs; /* in first-seen order, indexed by obj_map */
	struct hap_hmap obj_map;
	const struct hap_object **sorted[3];
	size_t count[3];
	struct snap_row *rows;
};

static int inst_counts(const struct snap_inst *in)
{
	return !in->err && !(in->flags & (HAP_INST_DUPLICATE | HAP_INST_EXCLUDED));
}

/* ---- building ---- */

static int register_name(struct hap_snapshot *s, struct hap_hmap *map, const char ***names,
                         size_t *n, size_t *cap, struct hap_view v)
{
	size_t id;
	char *copy;
	int ret;

	if (hap_hmap_get(map, v, &id))
		return 0;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		const char **p = realloc(*names, ncap * sizeof(*p));

		if (!p)
			return HAP_ENOMEM;
		*names = p;
		*cap = ncap;
	}
	copy = hap_arena_strndup(&s->arena, v.p, v.n);
	if (!copy)
		return HAP_ENOMEM;
	ret = hap_hmap_put(map, hap_view_make(copy, v.n), *n, NULL);
	if (ret)
		return ret;
	(*names)[(*n)++] = copy;
	return 0;
}

static int parse_inst(struct hap_snapshot *s, struct snap_inst *in, unsigned what)
{
	struct hap_error perr = { 0, "" };
	size_t used = 0, lv;
	const char *end;
	int ret;

	/*
	 * Every reply of HAProxy ends with a blank line, the last one too: a
	 * reply without it was cut short (the process died, a proxy or the
	 * network closed early), and its missing rows would go unnoticed.
	 */
	if (hap_master_routing_failed(in->reply.ptr, in->reply.len)) {
		/* the master could not route to the worker (it exited since
		 * "show proc"): its own words say so */
		const char *nl = memchr(in->reply.ptr, '\n', in->reply.len);
		size_t l = nl ? (size_t)(nl - in->reply.ptr) : in->reply.len;

		in->err = HAP_ENOTFOUND;
		in->errmsg = hap_arena_strndup(&s->arena, in->reply.ptr, l);
		return 0;
	}
	if (in->reply.len < 2 || memcmp(in->reply.ptr + in->reply.len - 2, "\n\n", 2) != 0) {
		char msg[96];

		if (in->reply.len == 0)
			snprintf(msg, sizeof(msg), "connection closed without a reply");
		else
			snprintf(msg, sizeof(msg),
			         "reply cut short (%zu bytes, no final blank line)", in->reply.len);
		in->err = HAP_EPROTO;
		in->errmsg = hap_arena_strndup(&s->arena, msg, strlen(msg));
		return 0;
	}
	/* "show cli level" answers one word and a blank line */
	end = memchr(in->reply.ptr, '\n', in->reply.len);
	lv = end ? (size_t)(end - in->reply.ptr) : 0;
	if (lv == 5 && memcmp(in->reply.ptr, "admin", 5) == 0)
		in->level = HAP_LEVEL_ADMIN;
	else if (lv == 8 && memcmp(in->reply.ptr, "operator", 8) == 0)
		in->level = HAP_LEVEL_OPERATOR;
	else if (lv == 4 && memcmp(in->reply.ptr, "user", 4) == 0)
		in->level = HAP_LEVEL_USER;
	else
		in->level = HAP_LEVEL_UNKNOWN;
	if (in->level != HAP_LEVEL_UNKNOWN) {
		used = lv + 1;
		if (used < in->reply.len && in->reply.ptr[used] == '\n')
			used++;
	}
	ret = hap_info_parse(&in->info, in->reply.ptr + used, in->reply.len - used, &lv, &perr);
	used += lv;
	if (ret) {
		in->err = ret;
		in->errmsg = hap_arena_strndup(&s->arena, perr.msg, strlen(perr.msg));
		return 0;
	}
	in->has_info = 1;
	/* "show acl" and "show map" listings, each ending with a blank line */
	for (int k = 0; k < 2; k++) {
		const char *p = in->reply.ptr + used, *e;
		size_t rest = in->reply.len - used, len;

		if (!(what & (k ? HAP_SNAP_MAPS : HAP_SNAP_ACLS)))
			continue;
		e = rest ? memchr(p, '\n', rest) : NULL;
		/* find the blank line: "\n\n", or a lone "\n" for an empty list */
		if (e == p) {
			len = 0;
			used += 1;
		} else {
			const char *q = p;

			e = NULL;
			while ((q = memchr(q, '\n', rest - (size_t)(q - p))) != NULL) {
				if ((size_t)(q - p) + 1 < rest && q[1] == '\n') {
					e = q;
					break;
				}
				q++;
			}
			len = e ? (size_t)(e - p) + 1 : rest;
			used += e ? len + 1 : len;
		}
		ret = hap_pat_ref_parse(&in->pat[k], p, len, &perr);
		if (ret) {
			in->err = ret;
			in->errmsg = hap_arena_strndup(&s->arena, perr.msg, strlen(perr.msg));
			return 0;
		}
		in->has_pat[k] = 1;
	}
	if (!(what & HAP_SNAP_ALL))
		return 0;
	/* a read of one proxy: an instance without it holds none of its rows */
	if (in->reply.len - used >= 14 && memcmp(in->reply.ptr + used, "No such proxy.", 14) == 0)
		return 0;
	if ((what & HAP_SNAP_SRVSTATE) && (what & HAP_SNAP_ALL) == HAP_SNAP_SERVERS) {
		char *p = in->reply.ptr + used, *stop = in->reply.ptr + in->reply.len;

		if (stop - p >= 19 && memcmp(p, "Can't find backend.", 19) == 0)
			return 0;
		/* "1\n" (the format version), then the header and rows
		 * separated by spaces: made commas in place, the same length */
		if (stop - p >= 2 && p[0] == '1' && p[1] == '\n') {
			used += 2;
			p += 2;
		}
		if (stop - p >= 2 && p[0] == '#' && p[1] == ' ')
			p += 2; /* the header's own "# " stays */
		while ((p = memchr(p, ' ', (size_t)(stop - p))) != NULL)
			*p++ = ',';
		in->srvstate = 1;
	}
	ret = hap_stat_parse(&in->stat, in->reply.ptr + used, in->reply.len - used, &perr);
	if (ret) {
		in->err = ret;
		in->errmsg = hap_arena_strndup(&s->arena, perr.msg, strlen(perr.msg));
		return 0;
	}
	in->has_stat = 1;
	return 0;
}

static void identify(struct hap_snapshot *s)
{
	size_t i, j;

	for (i = 0; i < s->ninst; i++) {
		struct hap_view n1, p1, t1;

		if (s->insts[i].err || !s->insts[i].has_info)
			continue;
		if (!hap_info_get(&s->insts[i].info, "Pid", &p1) ||
		    !hap_info_get(&s->insts[i].info, "Start_time_sec", &t1))
			continue;
		if (!hap_info_get(&s->insts[i].info, "node", &n1))
			n1 = hap_view_make("", 0);
		for (j = 0; j < i; j++) {
			struct hap_view n2, p2, t2;
			const struct snap_inst *o = &s->insts[j];

			if (o->err || (o->flags & HAP_INST_DUPLICATE) || !o->has_info)
				continue;
			if (!hap_info_get(&o->info, "Pid", &p2) ||
			    !hap_info_get(&o->info, "Start_time_sec", &t2))
				continue;
			if (!hap_info_get(&o->info, "node", &n2))
				n2 = hap_view_make("", 0);
			if (hap_view_eqv(n1, n2) && hap_view_eqv(p1, p2) && hap_view_eqv(t1, t2)) {
				s->insts[i].flags |= HAP_INST_DUPLICATE;
				s->insts[i].dup_of = j;
				break;
			}
		}
	}
}

static int build_fields(struct hap_snapshot *s)
{
	size_t cap = 0, icap = 0, i, c, f;
	int t, ret;

	for (i = 0; i < s->ninst; i++) {
		struct snap_inst *in = &s->insts[i];

		if (in->err || (in->flags & HAP_INST_DUPLICATE))
			continue;
		for (c = 0; in->has_info && c < in->info.n; c++) {
			ret = register_name(s, &s->info_map, &s->info_keys, &s->ninfo, &icap,
			                    in->info.kv[c].key);
			if (ret)
				return ret;
		}
		if (in->has_stat && in->srvstate) {
			/* the user weight also answers for "weight" */
			ret = register_name(s, &s->field_map, &s->fields, &s->nfields, &cap,
			                    hap_view_make("weight", 6));
			if (ret)
				return ret;
		}
		for (c = 0; in->has_stat && c < in->stat.ncols; c++) {
			if (hap_view_eq(in->stat.cols[c], "-") || in->stat.cols[c].n == 0)
				continue;
			ret = register_name(s, &s->field_map, &s->fields, &s->nfields, &cap,
			                    in->stat.cols[c]);
			if (ret)
				return ret;
		}
	}
	for (i = 0; i < s->ninst; i++) {
		struct snap_inst *in = &s->insts[i];

		if (!in->has_stat)
			continue;
		in->colmap = malloc((s->nfields ? s->nfields : 1) * sizeof(int));
		if (!in->colmap)
			return HAP_ENOMEM;
		for (f = 0; f < s->nfields; f++)
			in->colmap[f] = -1;
		for (c = 0; c < in->stat.ncols; c++) {
			size_t id;

			if (hap_hmap_get(&s->field_map, in->stat.cols[c], &id))
				in->colmap[id] = (int)c;
		}
		if (in->srvstate) {
			size_t w, u;

			if (hap_hmap_get(&s->field_map, hap_view_make("weight", 6), &w) &&
			    hap_hmap_get(&s->field_map, hap_view_make("uweight", 7), &u))
				in->colmap[w] = in->colmap[u];
		}
	}
	for (t = 0; t < 3; t++) {
		s->rules[t] = malloc((s->nfields ? s->nfields : 1) * sizeof(enum hap_rule));
		if (!s->rules[t])
			return HAP_ENOMEM;
		for (f = 0; f < s->nfields; f++)
			s->rules[t][f] = hap_field_rule(t, s->fields[f]);
	}
	return 0;
}

/* A row on its way to its object: the parser's row index is freed as soon
 * as an instance is merged, so this keeps the line itself. */
struct triple {
	const char *line;
	uint32_t len, obj, inst;
};

static int objcmp(const void *a, const void *b)
{
	const struct hap_object *x = *(const struct hap_object *const *)a;
	const struct hap_object *y = *(const struct hap_object *const *)b;
	int c = 0;

	if (x->backend && y->backend)
		c = strcmp(x->backend, y->backend);
	return c ? c : strcmp(x->name, y->name);
}

static int build_objects(struct hap_snapshot *s)
{
	struct triple *tr = NULL;
	size_t ntr = 0, trcap = 0, objcap = 0, i, r;
	size_t *start = NULL;
	char key[1100];
	int ret = 0, t;

	for (i = 0; i < s->ninst; i++) {
		struct snap_inst *in = &s->insts[i];

		if (in->err || !in->has_stat || (in->flags & HAP_INST_DUPLICATE))
			continue;
		for (r = 0; r < in->stat.nrows; r++) {
			const struct hap_stat_row *row = &in->stat.rows[r];
			enum hap_obj type;
			size_t klen, id;

			if (row->type == HAP_STAT_FRONTEND)
				type = HAP_OBJ_FRONTEND;
			else if (row->type == HAP_STAT_BACKEND)
				type = HAP_OBJ_BACKEND;
			else if (row->type == HAP_STAT_SERVER)
				type = HAP_OBJ_SERVER;
			else
				continue;
			if (row->pxname.n > 500 || row->svname.n > 500)
				continue;
			key[0] = (char)('0' + type);
			key[1] = '\0';
			memcpy(key + 2, row->pxname.p, row->pxname.n);
			klen = 2 + row->pxname.n;
			if (type == HAP_OBJ_SERVER) {
				key[klen++] = '\0';
				memcpy(key + klen, row->svname.p, row->svname.n);
				klen += row->svname.n;
			}
			if (!hap_hmap_get(&s->obj_map, hap_view_make(key, klen), &id)) {
				struct hap_object *o;
				char *kc;

				if (s->nobjs == objcap) {
					size_t ncap = objcap ? objcap * 2 : 256;
					struct hap_object *p = realloc(s->objs, ncap * sizeof(*p));

					if (!p) {
						ret = HAP_ENOMEM;
						goto out;
					}
					s->objs = p;
					objcap = ncap;
				}
				kc = hap_arena_strndup(&s->arena, key, klen);
				if (!kc) {
					ret = HAP_ENOMEM;
					goto out;
				}
				id = s->nobjs++;
				ret = hap_hmap_put(&s->obj_map, hap_view_make(kc, klen), id, NULL);
				if (ret)
					goto out;
				o = &s->objs[id];
				memset(o, 0, sizeof(*o));
				o->s = s;
				o->type = type;
				if (type == HAP_OBJ_SERVER) {
					/* names are the key's own NUL-separated parts */
					o->backend = kc + 2;
					o->name = kc + 3 + row->pxname.n;
				} else {
					o->name = kc + 2;
				}
			}
			if (ntr == trcap) {
				size_t ncap = trcap ? trcap * 2 : 1024;
				struct triple *p = realloc(tr, ncap * sizeof(*p));

				if (!p) {
					ret = HAP_ENOMEM;
					goto out;
				}
				tr = p;
				trcap = ncap;
			}
			tr[ntr].obj = (uint32_t)id;
			tr[ntr].inst = (uint32_t)i;
			tr[ntr].line = row->line;
			tr[ntr].len = row->len;
			ntr++;
		}
		/* merged: the parser's row index of this instance is not needed any more */
		free(in->stat.rows);
		in->stat.rows = NULL;
		in->stat.nrows = 0;
	}
	/* group rows by object, keeping instance order (counting sort) */
	start = calloc(s->nobjs + 1, sizeof(*start));
	s->rows = malloc((ntr ? ntr : 1) * sizeof(*s->rows));
	if (!start || !s->rows) {
		ret = HAP_ENOMEM;
		goto out;
	}
	for (i = 0; i < ntr; i++)
		s->objs[tr[i].obj].n++;
	for (i = 0, r = 0; i < s->nobjs; i++) {
		s->objs[i].first = r;
		start[i] = r;
		r += s->objs[i].n;
	}
	for (i = 0; i < ntr; i++) {
		struct snap_row *sr = &s->rows[start[tr[i].obj]++];

		sr->inst = tr[i].inst;
		sr->line = tr[i].line;
		sr->len = tr[i].len;
	}
	for (t = 0; t < 3; t++) {
		size_t k = 0;

		for (i = 0; i < s->nobjs; i++)
			s->count[t] += s->objs[i].type == (enum hap_obj)t;
		s->sorted[t] = malloc((s->count[t] ? s->count[t] : 1) * sizeof(*s->sorted[t]));
		if (!s->sorted[t]) {
			ret = HAP_ENOMEM;
			goto out;
		}
		for (i = 0; i < s->nobjs; i++)
			if (s->objs[i].type == (enum hap_obj)t)
				s->sorted[t][k++] = &s->objs[i];
		qsort(s->sorted[t], s->count[t], sizeof(*s->sorted[t]), objcmp);
	}
out:
	free(tr);
	free(start);
	return ret;
}

int hap_snapshot_new(struct hap_snapshot **out, struct hap *h, unsigned what, struct hap_error *err)
{
	return hap_snapshot_new_proxy(out, h, what, NULL, err);
}

int hap_snapshot_new_proxy(struct hap_snapshot **out, struct hap *h, unsigned what,
                           const char *proxy, struct hap_error *err)
{
	struct hap_snapshot *s = NULL;
	struct hap_target *ts = NULL;
	struct hap_call *calls = NULL;
	char cmds[640];
	size_t nt = 0, i;
	int ret;

	*out = NULL;
	if (!h->naddrs)
		return hap_error_set(err, HAP_EINVAL, "no endpoint");
	if (proxy) {
		ret = hap_cmd_check_name("proxy", proxy, err);
		if (ret)
			return ret;
	}
	snprintf(cmds, sizeof(cmds), "show cli level\nshow info\n%s%s",
	         (what & HAP_SNAP_ACLS) ? "show acl\n" : "",
	         (what & HAP_SNAP_MAPS) ? "show map\n" : "");
	if ((what & HAP_SNAP_SRVSTATE) && (what & HAP_SNAP_ALL) == HAP_SNAP_SERVERS)
		snprintf(cmds + strlen(cmds), sizeof(cmds) - strlen(cmds),
		         "show servers state%s%s\n", proxy ? " " : "", proxy ? proxy : "");
	else if (what & HAP_SNAP_ALL)
		snprintf(cmds + strlen(cmds), sizeof(cmds) - strlen(cmds), "show stat %s %u -1\n",
		         proxy ? proxy : "-1", what & HAP_SNAP_ALL);
	ret = hap_targets_resolve(h, &ts, &nt);
	if (ret)
		return hap_error_set(err, ret, "resolving instances: %s", hap_strerror(ret));
	s = calloc(1, sizeof(*s));
	calls = calloc(nt ? nt : 1, sizeof(*calls));
	if (!s || !calls) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	s->opt_flags = h->opts.flags;
	s->insts = calloc(nt ? nt : 1, sizeof(*s->insts));
	if (!s->insts) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	s->ninst = nt;
	for (i = 0; i < nt; i++) {
		calls[i].target = i;
		calls[i].cmds = cmds;
	}
	s->targets = ts;
	ts = NULL;
	ret = hap_round_run(h, s->targets, calls, nt);
	if (ret) {
		hap_error_set(err, ret, "exchange: %s", hap_strerror(ret));
		goto out;
	}
	for (i = 0; i < nt; i++) {
		struct snap_inst *in = &s->insts[i];
		struct hap_job *j = &calls[i].job;
		const struct hap_target *t = &s->targets[i];

		in->name = hap_arena_strndup(&s->arena, t->name, strlen(t->name));
		in->flags = t->flags;
		if ((in->flags & HAP_INST_OLD_WORKER) && !(h->opts.flags & HAP_OPT_OLD_WORKERS))
			in->flags |= HAP_INST_EXCLUDED;
		/* the snapshot keeps the reply: rows are views into it; a
		 * failed one is dropped (a flood's bytes are not kept) */
		in->reply = j->reply;
		hap_buf_init(&j->reply, 0);
		if (j->err)
			hap_buf_release(&in->reply);
		if (j->err) {
			in->err = j->err;
			in->errmsg = hap_arena_strndup(&s->arena, j->errmsg, strlen(j->errmsg));
		} else {
			parse_inst(s, in, what);
		}
		if (!in->name || (in->err && !in->errmsg)) {
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
			goto out;
		}
	}
	/* what the kept replies hold counts against the fleet's reply budget
	 * until the snapshot is freed */
	s->budget = hap_budget_get(h->budget);
	for (i = 0; i < nt; i++)
		s->charged += s->insts[i].reply.len;
	if (s->budget)
		s->budget->held += s->charged;
	identify(s);
	ret = build_fields(s);
	if (!ret)
		ret = build_objects(s);
	if (ret)
		hap_error_set(err, ret, "building snapshot: %s", hap_strerror(ret));
out:
	hap_calls_release(calls, nt);
	free(calls);
	free(ts);
	if (ret) {
		hap_snapshot_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void hap_snapshot_free(struct hap_snapshot *s)
{
	size_t i;
	int t;

	if (!s)
		return;
	if (s->budget) {
		s->budget->held -= s->charged;
		hap_budget_put(s->budget);
	}
	for (i = 0; i < s->ninst; i++) {
		struct snap_inst *in = &s->insts[i];

		if (in->has_info)
			hap_info_release(&in->info);
		if (in->has_stat)
			hap_stat_release(&in->stat);
		for (int k = 0; k < 2; k++)
			if (in->has_pat[k])
				hap_pat_ref_release(&in->pat[k]);
		hap_buf_release(&in->reply);
		free(in->colmap);
	}
	free(s->insts);
	free(s->targets);
	free(s->fields);
	free(s->info_keys);
	hap_hmap_release(&s->field_map);
	hap_hmap_release(&s->info_map);
	hap_hmap_release(&s->obj_map);
	for (t = 0; t < 3; t++) {
		free(s->rules[t]);
		free(s->sorted[t]);
	}
	free(s->objs);
	free(s->rows);
	hap_arena_release(&s->arena);
	free(s);
}

/* ---- instances ---- */

size_t hap_snapshot_instance_count(const struct hap_snapshot *s)
{
	return s->ninst;
}

const char *hap_instance_name(const struct hap_snapshot *s, size_t i)
{
	return s->insts[i].name;
}

int hap_instance_status(const struct hap_snapshot *s, size_t i, const char **msg)
{
	if (msg)
		*msg = s->insts[i].err ? s->insts[i].errmsg : "";
	return s->insts[i].err;
}

int hap_instance_level(const struct hap_snapshot *s, size_t i)
{
	return s->insts[i].level;
}

const struct hap_pat_ref_list *hap_snapshot_patterns(const struct hap_snapshot *s, size_t i,
                                                     int is_map)
{
	return s->insts[i].has_pat[is_map ? 1 : 0] ? &s->insts[i].pat[is_map ? 1 : 0] : NULL;
}

const struct hap_target *hap_snapshot_target(const struct hap_snapshot *s, size_t i)
{
	return &s->targets[i];
}

unsigned hap_instance_flags(const struct hap_snapshot *s, size_t i)
{
	return s->insts[i].flags;
}

size_t hap_instance_duplicate_of(const struct hap_snapshot *s, size_t i)
{
	return s->insts[i].dup_of;
}

size_t hap_snapshot_live_count(const struct hap_snapshot *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->ninst; i++)
		n += inst_counts(&s->insts[i]);
	return n;
}

/* ---- values ---- */

static void value_of(struct hap_snapshot *s, struct hap_value *v, struct hap_view f)
{
	int64_t num;

	memset(v, 0, sizeof(*v));
	if (f.n == 0)
		return;
	if (hap_num_i64(f, &num) == 0) {
		v->kind = HAP_VALUE_NUMBER;
		v->num = num;
		return;
	}
	v->kind = HAP_VALUE_TEXT;
	v->text = f.p;
	v->len = f.n;
	if (memchr(f.p, '"', f.n)) {
		/* a quoted CSV field with doubled quotes: decode once, keep in the arena */
		struct hap_buf b = HAP_BUF_INIT;
		char *copy = NULL;

		if (hap_csv_text(f, &b) == 0)
			copy = hap_arena_strndup(&s->arena, b.ptr, b.len);
		if (copy) {
			v->text = copy;
			v->len = b.len;
		}
		hap_buf_release(&b);
	}
}

static int same_value(const struct hap_value *a, const struct hap_value *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == HAP_VALUE_NUMBER)
		return a->num == b->num;
	return a->len == b->len && (a->len == 0 || memcmp(a->text, b->text, a->len) == 0);
}

struct acc {
	struct hap_value first;
	size_t cnt, npos;
	int disagree, text;
	int64_t sum, max, min, minpos;
};

static void acc_feed(struct acc *a, const struct hap_value *v)
{
	if (v->kind == HAP_VALUE_ABSENT)
		return;
	if (a->cnt == 0) {
		a->first = *v;
		a->max = a->min = v->num;
	} else if (!same_value(&a->first, v)) {
		a->disagree = 1;
	}
	a->cnt++;
	if (v->kind != HAP_VALUE_NUMBER) {
		a->text = 1;
		return;
	}
	if (__builtin_add_overflow(a->sum, v->num, &a->sum))
		a->sum = v->num < 0 ? INT64_MIN : INT64_MAX;
	if (v->num > a->max)
		a->max = v->num;
	if (v->num < a->min)
		a->min = v->num;
	if (v->num >= 0 && (a->npos++ == 0 || v->num < a->minpos))
		a->minpos = v->num;
}

static void acc_result(struct hap_value *out, const struct acc *a, enum hap_rule rule)
{
	memset(out, 0, sizeof(*out));
	if (a->cnt == 0)
		return;
	if (rule == HAP_RULE_AGREE || a->text) {
		if (a->disagree)
			out->kind = HAP_VALUE_DISAGREE;
		else
			*out = a->first;
		return;
	}
	out->kind = HAP_VALUE_NUMBER;
	switch (rule) {
	case HAP_RULE_SUM:
		out->num = a->sum;
		break;
	case HAP_RULE_MAX:
		out->num = a->max;
		break;
	case HAP_RULE_MIN:
		/* ages: -1 means "never", the youngest real age wins */
		out->num = a->npos ? a->minpos : a->max;
		break;
	case HAP_RULE_AVG: {
		int64_t q = a->sum / (int64_t)a->cnt, r = a->sum % (int64_t)a->cnt;

		/* round half away from zero */
		if (2 * (r < 0 ? -r : r) >= (int64_t)a->cnt)
			q += a->sum < 0 ? -1 : 1;
		out->num = q;
		break;
	}
	case HAP_RULE_AGREE:
		break;
	}
}

#define SPLIT_STACK 256

/* Evaluate fields fids[0..nf) (all fields when fids is NULL) of object o. */
/* eval() mode: the aggregate and every instance's values, in one pass */
#define EVAL_ALL ((size_t)-2)

static int eval(struct hap_value *out, const struct hap_object *o, size_t k, const size_t *fids,
                size_t nf)
{
	struct hap_snapshot *s = o->s;
	struct hap_view stackv[SPLIT_STACK], *views = stackv;
	size_t maxv = SPLIT_STACK, r, x;
	struct acc *accs = NULL;
	int ret = 0;

	if (!fids)
		nf = s->nfields;
	for (x = 0; x < nf * (k == EVAL_ALL ? 1 + o->n : 1); x++)
		memset(&out[x], 0, sizeof(out[x]));
	if (k == HAP_AGGREGATE || k == EVAL_ALL) {
		accs = calloc(nf ? nf : 1, sizeof(*accs));
		if (!accs)
			return HAP_ENOMEM;
	} else if (k >= o->n) {
		return HAP_EINVAL;
	}
	for (r = 0; r < o->n; r++) {
		const struct snap_row *sr = &s->rows[o->first + r];
		const struct snap_inst *in = &s->insts[sr->inst];
		const struct hap_stat_row rowv = { sr->line, sr->len, 0, { NULL, 0 }, { NULL, 0 } };
		const struct hap_stat_row *row = &rowv;
		int nv;

		if (k != HAP_AGGREGATE && k != EVAL_ALL && r != k)
			continue;
		if (k == HAP_AGGREGATE && !inst_counts(in))
			continue;
		if (fids) {
			/* a few fields: split the row only up to the last one needed */
			size_t need = 0, pos = 0;
			struct hap_view f;

			for (x = 0; x < nf; x++)
				if (in->colmap[fids[x]] >= 0 &&
				    (size_t)in->colmap[fids[x]] + 1 > need)
					need = (size_t)in->colmap[fids[x]] + 1;
			if (need <= maxv && !memchr(row->line, '"', row->len)) {
				/* no quoted field (the common case): commas are separators */
				const char *p = row->line, *e = p + row->len;

				nv = 0;
				while ((size_t)nv < need && p < e) {
					const char *q = p;

					while (q < e && *q != ',')
						q++;
					views[nv++] = hap_view_make(p, (size_t)(q - p));
					p = q + 1;
				}
				goto split;
			}
			if (need <= maxv) {
				nv = 0;
				while ((size_t)nv < need &&
				       hap_csv_next(row->line, row->len, &pos, &f) == 1)
					views[nv++] = f;
				goto split;
			}
		}
		nv = hap_csv_split(row->line, row->len, views, maxv);
		if (nv > (int)maxv) {
			struct hap_view *big = malloc((size_t)nv * sizeof(*big));

			if (!big) {
				ret = HAP_ENOMEM;
				goto out;
			}
			if (views != stackv)
				free(views);
			views = big;
			maxv = (size_t)nv;
			nv = hap_csv_split(row->line, row->len, views, maxv);
		}
	split:
		if (nv < 0)
			continue;
		for (x = 0; x < nf; x++) {
			size_t f = fids ? fids[x] : x;
			int col = in->colmap[f];
			struct hap_value v;

			if (col < 0 || col >= nv)
				memset(&v, 0, sizeof(v));
			else
				value_of(s, &v, views[col]);
			if (k == EVAL_ALL) {
				/* every row once: its own values, and the aggregate */
				out[(1 + r) * nf + x] = v;
				if (inst_counts(in))
					acc_feed(&accs[x], &v);
			} else if (accs) {
				acc_feed(&accs[x], &v);
			} else {
				out[x] = v;
			}
		}
	}
	for (x = 0; accs && x < nf; x++)
		acc_result(&out[x], &accs[x], s->rules[o->type][fids ? fids[x] : x]);
out:
	if (views != stackv)
		free(views);
	free(accs);
	return ret;
}

int hap_object_values_all(struct hap_value *out, const struct hap_object *o)
{
	return eval(out, o, EVAL_ALL, NULL, 0);
}

int hap_object_values_select(struct hap_value *out, const struct hap_object *o,
                             const size_t *fields, size_t n)
{
	size_t x;

	for (x = 0; x < n; x++)
		if (fields[x] >= o->s->nfields)
			return HAP_EINVAL;
	return eval(out, o, EVAL_ALL, fields, n);
}

int hap_object_values(struct hap_value *out, const struct hap_object *o, size_t k)
{
	return eval(out, o, k, NULL, 0);
}

int hap_object_value(struct hap_value *out, const struct hap_object *o, size_t k, const char *field)
{
	size_t fid;

	if (!hap_hmap_get(&o->s->field_map, hap_view_str(field), &fid)) {
		memset(out, 0, sizeof(*out));
		return HAP_ENOTFOUND;
	}
	return eval(out, o, k, &fid, 1);
}

/* ---- info ---- */

size_t hap_snapshot_info_count(const struct hap_snapshot *s)
{
	return s->ninfo;
}

const char *hap_snapshot_info_key(const struct hap_snapshot *s, size_t k)
{
	return s->info_keys[k];
}

int hap_snapshot_info(struct hap_value *out, const struct hap_snapshot *s, size_t i,
                      const char *key)
{
	struct hap_snapshot *ms = (struct hap_snapshot *)s;
	struct acc a;
	size_t x;

	memset(out, 0, sizeof(*out));
	if (i != HAP_AGGREGATE) {
		struct hap_view v;

		if (i >= s->ninst)
			return HAP_EINVAL;
		if (s->insts[i].has_info && hap_info_get(&s->insts[i].info, key, &v))
			value_of(ms, out, v);
		return 0;
	}
	memset(&a, 0, sizeof(a));
	for (x = 0; x < s->ninst; x++) {
		struct hap_value v;
		struct hap_view f;

		if (!inst_counts(&s->insts[x]) || !s->insts[x].has_info)
			continue;
		if (!hap_info_get(&s->insts[x].info, key, &f))
			continue;
		value_of(ms, &v, f);
		acc_feed(&a, &v);
	}
	acc_result(out, &a, hap_field_rule(-1, key));
	return 0;
}

/* ---- fields and objects ---- */

size_t hap_snapshot_field_count(const struct hap_snapshot *s)
{
	return s->nfields;
}

const char *hap_snapshot_field_name(const struct hap_snapshot *s, size_t f)
{
	return s->fields[f];
}

int hap_snapshot_field_index(const struct hap_snapshot *s, const char *name)
{
	size_t id;

	return hap_hmap_get(&s->field_map, hap_view_str(name), &id) ? (int)id : -1;
}

size_t hap_snapshot_count(const struct hap_snapshot *s, enum hap_obj type)
{
	return s->count[type];
}

const struct hap_object *hap_snapshot_object(const struct hap_snapshot *s, enum hap_obj type,
                                             size_t i)
{
	return i < s->count[type] ? s->sorted[type][i] : NULL;
}

const struct hap_object *hap_snapshot_find(const struct hap_snapshot *s, enum hap_obj type,
                                           const char *backend, const char *name)
{
	char key[1100];
	size_t klen, id, pl;

	if (!name || (type == HAP_OBJ_SERVER && !backend))
		return NULL;
	pl = type == HAP_OBJ_SERVER ? strlen(backend) : strlen(name);
	if (pl > 500 || (type == HAP_OBJ_SERVER && strlen(name) > 500))
		return NULL;
	key[0] = (char)('0' + type);
	key[1] = '\0';
	memcpy(key + 2, type == HAP_OBJ_SERVER ? backend : name, pl);
	klen = 2 + pl;
	if (type == HAP_OBJ_SERVER) {
		key[klen++] = '\0';
		memcpy(key + klen, name, strlen(name));
		klen += strlen(name);
	}
	if (!hap_hmap_get(&s->obj_map, hap_view_make(key, klen), &id))
		return NULL;
	return &s->objs[id];
}

enum hap_obj hap_object_type(const struct hap_object *o)
{
	return o->type;
}

const char *hap_object_name(const struct hap_object *o)
{
	return o->name;
}

const char *hap_object_backend(const struct hap_object *o)
{
	return o->backend;
}

size_t hap_object_instance_count(const struct hap_object *o)
{
	return o->n;
}

size_t hap_object_instance(const struct hap_object *o, size_t k)
{
	return o->s->rows[o->first + k].inst;
}
