/*
 * merge.c - a snapshot's instances merged by name: two sockets of one
 * process counted once (node, Pid, Start_time_sec), the union of every
 * instance's "show stat" columns and "show info" keys, and the rows grouped
 * into objects keyed by (type, proxy[, server]).
 *
 * Must never: count a duplicate instance twice, or trust column positions
 * (each instance keeps its own column map).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "model/snapshot_int.h"
#include "util/banned.h"

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

/* An instance's identity (node, Pid, Start_time_sec), for hap_snap_identify(). */
struct ident {
	struct hap_view node, pid, start;
	size_t i;
};

static int view_cmp(struct hap_view a, struct hap_view b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int c = n ? memcmp(a.p, b.p, n) : 0;

	return c ? c : a.n < b.n ? -1 : a.n > b.n;
}

/* By identity, then by position: the first of a group is the one kept. */
static int by_ident(const void *a, const void *b)
{
	const struct ident *x = a, *y = b;
	int c = view_cmp(x->pid, y->pid);

	if (!c)
		c = view_cmp(x->start, y->start);
	if (!c)
		c = view_cmp(x->node, y->node);
	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/* Sorted, not compared pairwise: 1,000 endpoints are 500,000 pairs. When
 * the memory for the sort is missing, no instance is called a duplicate
 * (each is then shown as itself: nothing hidden). */
void hap_snap_identify(struct hap_snapshot *s)
{
	struct ident *ids = calloc(s->ninst ? s->ninst : 1, sizeof(*ids));
	size_t i, n = 0, first = 0;

	if (!ids)
		return;
	for (i = 0; i < s->ninst; i++) {
		struct ident *d = &ids[n];

		if (s->insts[i].err || !s->insts[i].has_info)
			continue;
		if (!hap_info_get(&s->insts[i].info, "Pid", &d->pid) ||
		    !hap_info_get(&s->insts[i].info, "Start_time_sec", &d->start))
			continue;
		if (!hap_info_get(&s->insts[i].info, "node", &d->node))
			d->node = hap_view_make("", 0);
		d->i = i;
		n++;
	}
	qsort(ids, n, sizeof(*ids), by_ident);
	for (i = 0; i < n; i++) {
		if (i && hap_view_eqv(ids[i].pid, ids[first].pid) &&
		    hap_view_eqv(ids[i].start, ids[first].start) &&
		    hap_view_eqv(ids[i].node, ids[first].node)) {
			s->insts[ids[i].i].flags |= HAP_INST_DUPLICATE;
			s->insts[ids[i].i].dup_of = ids[first].i;
		} else {
			first = i;
		}
	}
	free(ids);
}

int hap_snap_build_fields(struct hap_snapshot *s)
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

/* The type of a "show stat" row's object; -1: not one (listener). */
static int row_type(const struct hap_stat_row *row)
{
	if (row->type == HAP_STAT_FRONTEND)
		return HAP_OBJ_FRONTEND;
	if (row->type == HAP_STAT_BACKEND)
		return HAP_OBJ_BACKEND;
	if (row->type == HAP_STAT_SERVER)
		return HAP_OBJ_SERVER;
	return -1;
}

/* The object of row (type, proxy[, server]), made on first sight: *id.
 * 0 or HAP_ENOMEM. */
static int object_of(struct hap_snapshot *s, const struct hap_stat_row *row, enum hap_obj type,
                     size_t *objcap, size_t *id)
{
	struct hap_object *o;
	char key[1100], *kc;
	size_t klen;
	int ret;

	key[0] = (char)('0' + type);
	key[1] = '\0';
	memcpy(key + 2, row->pxname.p, row->pxname.n);
	klen = 2 + row->pxname.n;
	if (type == HAP_OBJ_SERVER) {
		key[klen++] = '\0';
		memcpy(key + klen, row->svname.p, row->svname.n);
		klen += row->svname.n;
	}
	if (hap_hmap_get(&s->obj_map, hap_view_make(key, klen), id))
		return 0;
	if (s->nobjs == *objcap) {
		size_t ncap = *objcap ? *objcap * 2 : 256;
		struct hap_object *p = realloc(s->objs, ncap * sizeof(*p));

		if (!p)
			return HAP_ENOMEM;
		s->objs = p;
		*objcap = ncap;
	}
	kc = hap_arena_strndup(&s->arena, key, klen);
	if (!kc)
		return HAP_ENOMEM;
	*id = s->nobjs++;
	ret = hap_hmap_put(&s->obj_map, hap_view_make(kc, klen), *id, NULL);
	if (ret)
		return ret;
	o = &s->objs[*id];
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
	return 0;
}

/* The rows on their way to their objects. */
struct triples {
	struct triple *tr;
	size_t n, cap;
};

/* Instance i's rows into their objects: 0 or HAP_ENOMEM. */
static int merge_inst(struct hap_snapshot *s, size_t i, struct triples *ts, size_t *objcap)
{
	struct snap_inst *in = &s->insts[i];
	size_t r, id;
	int ret;

	for (r = 0; r < in->stat.nrows; r++) {
		const struct hap_stat_row *row = &in->stat.rows[r];
		int type = row_type(row);

		if (type < 0 || row->pxname.n > 500 || row->svname.n > 500)
			continue;
		ret = object_of(s, row, (enum hap_obj)type, objcap, &id);
		if (ret)
			return ret;
		if (ts->n == ts->cap) {
			size_t ncap = ts->cap ? ts->cap * 2 : 1024;
			struct triple *p = realloc(ts->tr, ncap * sizeof(*p));

			if (!p)
				return HAP_ENOMEM;
			ts->tr = p;
			ts->cap = ncap;
		}
		ts->tr[ts->n].obj = (uint32_t)id;
		ts->tr[ts->n].inst = (uint32_t)i;
		ts->tr[ts->n].line = row->line;
		ts->tr[ts->n].len = row->len;
		ts->n++;
	}
	/* merged: the parser's row index of this instance is not needed any more */
	free(in->stat.rows);
	in->stat.rows = NULL;
	in->stat.nrows = 0;
	return 0;
}

/* Group rows by object, keeping instance order (counting sort). */
static int group_rows(struct hap_snapshot *s, const struct triples *ts)
{
	size_t *start = calloc(s->nobjs + 1, sizeof(*start)), i, r;

	s->rows = malloc((ts->n ? ts->n : 1) * sizeof(*s->rows));
	if (!start || !s->rows) {
		free(start);
		return HAP_ENOMEM;
	}
	for (i = 0; i < ts->n; i++)
		s->objs[ts->tr[i].obj].n++;
	for (i = 0, r = 0; i < s->nobjs; i++) {
		s->objs[i].first = r;
		start[i] = r;
		r += s->objs[i].n;
	}
	for (i = 0; i < ts->n; i++) {
		struct snap_row *sr = &s->rows[start[ts->tr[i].obj]++];

		sr->inst = ts->tr[i].inst;
		sr->line = ts->tr[i].line;
		sr->len = ts->tr[i].len;
	}
	free(start);
	return 0;
}

/* Per type, the objects sorted by (backend,) name. */
static int sort_objects(struct hap_snapshot *s)
{
	size_t i;

	for (int t = 0; t < 3; t++) {
		size_t k = 0;

		for (i = 0; i < s->nobjs; i++)
			s->count[t] += s->objs[i].type == (enum hap_obj)t;
		s->sorted[t] = malloc((s->count[t] ? s->count[t] : 1) * sizeof(*s->sorted[t]));
		if (!s->sorted[t])
			return HAP_ENOMEM;
		for (i = 0; i < s->nobjs; i++)
			if (s->objs[i].type == (enum hap_obj)t)
				s->sorted[t][k++] = &s->objs[i];
		qsort(s->sorted[t], s->count[t], sizeof(*s->sorted[t]), objcmp);
	}
	return 0;
}

int hap_snap_build_objects(struct hap_snapshot *s)
{
	struct triples ts = { NULL, 0, 0 };
	size_t objcap = 0, i;
	int ret = 0;

	for (i = 0; !ret && i < s->ninst; i++) {
		const struct snap_inst *in = &s->insts[i];

		if (in->err || !in->has_stat || (in->flags & HAP_INST_DUPLICATE))
			continue;
		ret = merge_inst(s, i, &ts, &objcap);
	}
	if (!ret)
		ret = group_rows(s, &ts);
	if (!ret)
		ret = sort_objects(s);
	free(ts.tr);
	return ret;
}
