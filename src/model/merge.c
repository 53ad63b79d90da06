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
#include "error.h"
#include "model/fleet.h"
#include "model/rules.h"
#include "model/snapshot.h"
#include "model/snapshot_int.h"
#include "ops/round.h"
#include "parse/parse.h"
#include "proto/command.h"
#include "proto/frame.h"
#include "util/arena.h"
#include "util/hmap.h"
#include "util/view.h"
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

void hap_snap_identify(struct hap_snapshot *s)
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

int hap_snap_build_objects(struct hap_snapshot *s)
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
