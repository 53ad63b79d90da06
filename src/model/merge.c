/*
 * merge.c - a snapshot's instances merged by name: two sockets of one
 * process counted once (node, Pid, Start_time_sec), the union of every
 * instance's "show stat" columns and "show info" keys, and the rows grouped
 * into objects keyed by (type, proxy[, server]), as they arrive: the feeds
 * of the instances, the arrays lent to them, the header lines shared by
 * the instances and cut from their replies.
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

/* Where a key list has the keys of an identity: looked up once a list. */
struct idkeys {
	size_t list, node, pid, start;
};

/* The identity of instance in ("node\0Pid\0Start_time_sec") into b, 0 when
 * it has none (no info, Pid or Start_time_sec). */
static int identity_of(const struct snap_inst *in, struct idkeys *ik, struct hap_buf *b)
{
	const struct snap_ikeys *g;
	struct hap_view n, p, t;

	if (in->err || !in->has_info)
		return 0;
	g = &in->s->ikeys[in->ikeys];
	if (ik->list != in->ikeys) {
		ik->list = in->ikeys;
		ik->pid = hap_snap_ikey_find(g, "Pid");
		ik->start = hap_snap_ikey_find(g, "Start_time_sec");
		ik->node = hap_snap_ikey_find(g, "node");
	}
	if (ik->pid == g->n || ik->start == g->n)
		return 0;
	p = hap_snap_info_val(in, ik->pid);
	t = hap_snap_info_val(in, ik->start);
	n = ik->node < g->n ? hap_snap_info_val(in, ik->node) : hap_view_make("", 0);
	return hap_buf_add(b, n.p, n.n) == 0 && hap_buf_addc(b, '\0') == 0 &&
	       hap_buf_add(b, p.p, p.n) == 0 && hap_buf_addc(b, '\0') == 0 &&
	       hap_buf_add(b, t.p, t.n) == 0;
}

void hap_snap_identify(struct hap_snapshot *s)
{
	struct hap_hmap seen = HAP_HMAP_INIT;
	struct hap_buf keys = HAP_BUF_INIT;
	size_t *off = calloc(s->ninst + 1, sizeof(*off)), i, j;
	struct idkeys ik = { SIZE_MAX, 0, 0, 0 };

	/*
	 * Two sockets of one process: the same node, Pid and Start_time_sec.
	 * Each instance is a duplicate of the first one before it with its
	 * identity, looked up in a map (one pass: a fleet of hundreds of
	 * instances compared pairwise cost more than its parse). Out of
	 * memory, no instance is marked.
	 */
	if (!off)
		return;
	for (i = 0; i < s->ninst; i++) {
		off[i] = keys.len;
		if (!identity_of(&s->insts[i], &ik, &keys))
			keys.len = off[i]; /* none (or no memory): an empty key */
	}
	off[s->ninst] = keys.len;
	for (i = 0; i < s->ninst; i++) {
		struct hap_view k = hap_view_make(keys.ptr + off[i], off[i + 1] - off[i]);

		if (!k.n)
			continue;
		if (hap_hmap_get(&seen, k, &j)) {
			s->insts[i].flags |= HAP_INST_DUPLICATE;
			s->insts[i].dup_of = j;
		} else if (hap_hmap_put(&seen, k, i, NULL)) {
			break;
		}
	}
	hap_hmap_release(&seen);
	hap_buf_release(&keys);
	free(off);
}

/* FNV-1a of a header's column names, each ended by a 0 byte */
static uint64_t header_hash(const struct hap_stat *st)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t c = 0; c < st->ncols; c++) {
		for (size_t k = 0; k < st->cols[c].n; k++)
			h = (h ^ (unsigned char)st->cols[c].p[k]) * 1099511628211ULL;
		h = (h ^ 0) * 1099511628211ULL;
	}
	return h;
}

static int same_header(const struct snap_hdr *g, const struct hap_stat *st, uint64_t hash,
                       int srvstate)
{
	if (g->hash != hash || g->ncols != st->ncols || g->srvstate != srvstate)
		return 0;
	for (size_t c = 0; c < st->ncols; c++)
		if (g->cols[c].n != st->cols[c].n ||
		    memcmp(g->cols[c].p, st->cols[c].p, st->cols[c].n) != 0)
			return 0;
	return 1;
}

/* A new shared header: a copy of st's column names. */
static int new_header(struct hap_snapshot *s, const struct hap_stat *st, uint64_t hash,
                      int srvstate)
{
	struct snap_hdr *g;

	if (s->nhdrs == s->hdrcap) {
		size_t ncap = s->hdrcap ? s->hdrcap * 2 : 4;

		g = realloc(s->hdrs, ncap * sizeof(*g));
		if (!g)
			return HAP_ENOMEM;
		s->hdrs = g;
		s->hdrcap = ncap;
	}
	g = &s->hdrs[s->nhdrs];
	memset(g, 0, sizeof(*g));
	g->cols = hap_arena_alloc(&s->arena, (st->ncols ? st->ncols : 1) * sizeof(*g->cols));
	if (!g->cols)
		return HAP_ENOMEM;
	for (size_t c = 0; c < st->ncols; c++) {
		char *name = hap_arena_strndup(&s->arena, st->cols[c].p, st->cols[c].n);

		if (!name)
			return HAP_ENOMEM;
		g->cols[c] = hap_view_make(name, st->cols[c].n);
	}
	g->hash = hash;
	g->ncols = st->ncols;
	g->srvstate = srvstate;
	s->nhdrs++;
	return 0;
}

void hap_snap_share_header(struct hap_snapshot *s, struct snap_inst *in, struct hap_view raw)
{
	uint64_t hash;
	size_t g;
	int ret = 0;

	/* the same bytes are the same columns: one memcmp, usually */
	for (g = 0; raw.n && g < s->nhdrs; g++)
		if (hap_view_eqv(s->hdrs[g].raw, raw) && s->hdrs[g].srvstate == in->srvstate) {
			in->hdr = g;
			return;
		}
	hash = header_hash(&in->stat);
	for (g = 0; g < s->nhdrs; g++)
		if (same_header(&s->hdrs[g], &in->stat, hash, in->srvstate))
			break;
	if (g == s->nhdrs)
		ret = new_header(s, &in->stat, hash, in->srvstate);
	if (!ret && g == s->nhdrs - 1 && raw.n && !s->hdrs[g].raw.n) {
		char *copy = hap_arena_strndup(&s->arena, raw.p, raw.n);

		if (copy)
			s->hdrs[g].raw = hap_view_make(copy, raw.n);
		if (copy && !in->srvstate) {
			/* the next instances' feeds take its columns */
			struct hap_stat_hint *h = &s->hdrs[g].hint;

			h->raw = s->hdrs[g].raw;
			h->cols = s->hdrs[g].cols;
			h->ncols = s->hdrs[g].ncols;
			h->col_pxname = in->stat.col_pxname;
			h->col_svname = in->stat.col_svname;
			h->col_type = in->stat.col_type;
			s->hint_hdr = g + 1;
		}
	}
	in->hdr = g;
	if (ret) {
		/* no header to read its rows by: the snapshot fails */
		in->has_stat = 0;
		s->merge_err = ret;
	}
}

/* The names of instance in's header into the fields, once per header. */
static int register_header(struct hap_snapshot *s, struct snap_hdr *g, size_t *cap)
{
	int ret;

	if (g->registered)
		return 0;
	g->registered = 1;
	if (g->srvstate) {
		/* the user weight also answers for "weight" */
		ret = register_name(s, &s->field_map, &s->fields, &s->nfields, cap,
		                    hap_view_make("weight", 6));
		if (ret)
			return ret;
	}
	for (size_t c = 0; c < g->ncols; c++) {
		if (hap_view_eq(g->cols[c], "-") || g->cols[c].n == 0)
			continue;
		ret = register_name(s, &s->field_map, &s->fields, &s->nfields, cap, g->cols[c]);
		if (ret)
			return ret;
	}
	return 0;
}

/* The column map of header g: field id -> its column, or -1. */
static int map_header(struct hap_snapshot *s, struct snap_hdr *g)
{
	size_t f, c, id, w, u;

	g->colmap = malloc((s->nfields ? s->nfields : 1) * sizeof(int));
	if (!g->colmap)
		return HAP_ENOMEM;
	for (f = 0; f < s->nfields; f++)
		g->colmap[f] = -1;
	for (c = 0; c < g->ncols; c++)
		if (hap_hmap_get(&s->field_map, g->cols[c], &id))
			g->colmap[id] = (int)c;
	if (g->srvstate && hap_hmap_get(&s->field_map, hap_view_make("weight", 6), &w) &&
	    hap_hmap_get(&s->field_map, hap_view_make("uweight", 7), &u))
		g->colmap[w] = g->colmap[u];
	return 0;
}

int hap_snap_build_fields(struct hap_snapshot *s)
{
	size_t cap = 0, icap = 0, i, f, k;
	int t, ret;

	for (i = 0; i < s->ninst; i++) {
		struct snap_inst *in = &s->insts[i];

		if (in->err || (in->flags & HAP_INST_DUPLICATE))
			continue;
		/* an instance's keys, once a list: the union is the same */
		if (in->has_info && !s->ikeys[in->ikeys].registered) {
			struct snap_ikeys *g = &s->ikeys[in->ikeys];

			g->registered = 1;
			for (k = 0; k < g->n; k++) {
				ret = register_name(s, &s->info_map, &s->info_keys, &s->ninfo,
				                    &icap, g->keys[k]);
				if (ret)
					return ret;
			}
		}
		if (in->has_stat) {
			ret = register_header(s, &s->hdrs[in->hdr], &cap);
			if (ret)
				return ret;
		}
	}
	for (i = 0; i < s->nhdrs; i++) {
		ret = map_header(s, &s->hdrs[i]);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->ninst; i++)
		if (s->insts[i].has_stat)
			s->insts[i].colmap = s->hdrs[s->insts[i].hdr].colmap;
	for (t = 0; t < 3; t++) {
		s->rules[t] = malloc((s->nfields ? s->nfields : 1) * sizeof(enum hap_rule));
		if (!s->rules[t])
			return HAP_ENOMEM;
		for (f = 0; f < s->nfields; f++)
			s->rules[t][f] = hap_field_rule(t, s->fields[f]);
	}
	return 0;
}

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
                     size_t *id)
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
	if (s->nobjs == s->objcap) {
		size_t ncap = s->objcap ? s->objcap * 2 : 256;
		struct hap_object *p = realloc(s->objs, ncap * sizeof(*p));

		if (!p)
			return HAP_ENOMEM;
		s->objs = p;
		s->objcap = ncap;
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

/* The snapshot's column and row arrays to instance in's feed, for a call
 * (see hap_stat_feed: its columns are read on the final call). */
void hap_snap_feed_lend(struct hap_snapshot *s, struct snap_inst *in)
{
	in->feed.st.cols = s->lend_cols;
	in->feed.colcap = s->lend_colcap;
	in->feed.st.rows = s->lend_rows;
	in->feed.cap = s->lend_rowcap;
	in->feed.hint = s->hint_hdr ? &s->hdrs[s->hint_hdr - 1].hint : NULL;
	/* the columns are the last borrower's until the final call (or the
	 * shared header's already) */
	if (!in->feed.cols_final_only)
		in->feed.cols_final_only = 1;
	s->lend_cols = NULL;
	s->lend_rows = NULL;
	s->lend_colcap = s->lend_rowcap = 0;
}

void hap_snap_feed_return(struct hap_snapshot *s, struct snap_inst *in)
{
	s->lend_cols = in->feed.st.cols;
	s->lend_colcap = in->feed.colcap;
	s->lend_rows = in->feed.st.rows;
	s->lend_rowcap = in->feed.cap;
	in->feed.hint = NULL; /* s->hdrs may move */
	in->feed.st.cols = NULL;
	in->feed.st.rows = NULL;
	in->feed.st.ncols = in->feed.st.nrows = 0;
	in->feed.colcap = in->feed.cap = 0;
}

void hap_snap_cut_header(struct snap_inst *in, struct hap_buf *b)
{
	size_t h0 = in->inc_rest + in->feed.hdr_off, h1, cut, t;
	const char *nl = h0 < b->len ? memchr(b->ptr + h0, '\n', b->len - h0) : NULL;

	if (!nl || in->cut)
		return;
	h1 = (size_t)(nl - b->ptr) + 1;
	cut = h1 - h0;
	memmove(b->ptr + h0, b->ptr + h1, b->len - h1 + 1);
	b->len -= cut;
	for (t = 0; t < in->ntr; t++)
		if (in->tr[t].off >= h1)
			in->tr[t].off -= (uint32_t)cut;
	/* the feed's offsets are from the start of the stat part */
	in->feed.pos -= cut;
	in->feed.seen = in->feed.seen > cut ? in->feed.seen - cut : 0;
	in->feed.cols_final_only = 2;
	in->cut = cut;
}

void hap_snap_drop_header(struct snap_inst *in, size_t h0)
{
	const char *nl = memchr(in->reply.ptr + h0, '\n', in->reply.len - h0);
	size_t h1, cut, t;
	char *p;

	/* listings are views into the reply: kept as they are (the info's
	 * values are copies) */
	if (!nl || in->cut || in->has_pat[0] || in->has_pat[1])
		return;
	h1 = (size_t)(nl - in->reply.ptr) + 1;
	cut = h1 - h0;
	memmove(in->reply.ptr + h0, in->reply.ptr + h1, in->reply.len - h1 + 1);
	in->reply.len -= cut;
	for (t = 0; t < in->ntr; t++)
		if (in->tr[t].off >= h1)
			in->tr[t].off -= (uint32_t)cut;
	p = realloc(in->reply.ptr, in->reply.len + 1);
	if (p) {
		in->reply.ptr = p;
		in->reply.cap = in->reply.len + 1;
	}
}

/* Rows indexed as they arrive are given up: the whole reply is parsed at
 * the end (or the instance failed). */
void hap_snap_inc_off(struct snap_inst *in)
{
	in->inc = SNAP_INC_OFF;
	hap_stat_feed_release(&in->feed);
	in->ntr = 0;
}

/* The rows of reply[0, len) past what was indexed, into their objects. */
void hap_snap_inc_feed(struct hap_snapshot *s, struct snap_inst *in, const char *reply, size_t len,
                       int final)
{
	struct hap_error perr = { 0, "" };
	int had = in->feed.header, ret;

	hap_snap_feed_lend(s, in);
	ret = hap_stat_feed(&in->feed, reply + in->inc_rest, len - in->inc_rest, final, &perr);
	if (ret) {
		/* the parse of the whole reply at the end says why, or this
		 * when the header is cut already (the same words) */
		if (in->cut && !in->feed_err) {
			in->feed_err = ret;
			in->feed_errmsg = hap_arena_strndup(&s->arena, perr.msg, strlen(perr.msg));
		}
		hap_snap_inc_off(in);
		return;
	}
	ret = hap_snap_merge_rows(s, in, reply, in->feed.st.rows, in->feed.st.nrows);
	in->feed.st.nrows = 0;
	if (ret) {
		s->merge_err = ret;
		hap_snap_inc_off(in);
		return;
	}
	if (final)
		return;
	if (!had && in->feed.header) {
		/* the header just read: its columns shared now, so that its
		 * line can leave the reply while the rest arrives */
		in->stat = in->feed.st;
		hap_snap_share_header(
		        s, in,
		        hap_view_make(reply + in->inc_rest + in->feed.hdr_off, in->feed.hdr_len));
		memset(&in->stat, 0, sizeof(in->stat));
		in->feed.cols_final_only = 2;
	}
	hap_snap_feed_return(s, in);
}

/* Name s (NUL-terminated) is the bytes of v. */
static int name_is(const char *s, struct hap_view v)
{
	return strnlen(s, v.n + 1) == v.n && memcmp(s, v.p, v.n) == 0;
}

/* Object o is the one of row (type, proxy[, server]). */
static int same_object(const struct hap_object *o, const struct hap_stat_row *row, int type)
{
	if (o->type != (enum hap_obj)type)
		return 0;
	if (type == HAP_OBJ_SERVER)
		return name_is(o->name, row->svname) && name_is(o->backend, row->pxname);
	return name_is(o->name, row->pxname);
}

int hap_snap_merge_rows(struct hap_snapshot *s, struct snap_inst *in, const char *base,
                        const struct hap_stat_row *rows, size_t n)
{
	size_t r, id;
	int ret;

	for (r = 0; r < n; r++) {
		const struct hap_stat_row *row = &rows[r];
		int type = row_type(row);

		if (type < 0 || row->pxname.n > 500 || row->svname.n > 500)
			continue;
		/* instances of one configuration list their rows in the same
		 * order, so objects are made in that order: the object after
		 * this instance's last one is usually this row's */
		if (in->next_obj < s->nobjs && same_object(&s->objs[in->next_obj], row, type)) {
			id = in->next_obj;
		} else {
			ret = object_of(s, row, (enum hap_obj)type, &id);
			if (ret)
				return ret;
		}
		in->next_obj = id + 1;
		if (in->ntr == in->trcap) {
			/* small first: 1,000 small instances merge at once */
			size_t ncap = in->trcap ? in->trcap * 2 : 16;
			struct snap_trow *p = realloc(in->tr, ncap * sizeof(*p));

			if (!p)
				return HAP_ENOMEM;
			in->tr = p;
			in->trcap = ncap;
		}
		in->tr[in->ntr].obj = (uint32_t)id;
		in->tr[in->ntr].off = (uint32_t)(row->line - base);
		in->tr[in->ntr].len = row->len;
		in->tr[in->ntr].quoted = row->quoted;
		in->ntr++;
	}
	return 0;
}

static int inst_merged(const struct snap_inst *in)
{
	return !in->err && in->has_stat && !(in->flags & HAP_INST_DUPLICATE);
}

/* Group the rows of the instances that count by object, in instance order
 * (counting sort); the rows on their way are freed. */
static int group_rows(struct hap_snapshot *s)
{
	size_t *start = calloc(s->nobjs + 1, sizeof(*start)), i, r, t, total = 0;

	for (i = 0; i < s->ninst; i++)
		if (inst_merged(&s->insts[i]))
			total += s->insts[i].ntr;
	s->rows = malloc((total ? total : 1) * sizeof(*s->rows));
	if (!start || !s->rows) {
		free(start);
		return HAP_ENOMEM;
	}
	for (i = 0; i < s->ninst; i++)
		for (t = 0; inst_merged(&s->insts[i]) && t < s->insts[i].ntr; t++)
			s->objs[s->insts[i].tr[t].obj].n++;
	for (i = 0, r = 0; i < s->nobjs; i++) {
		s->objs[i].first = r;
		start[i] = r;
		r += s->objs[i].n;
	}
	for (i = 0; i < s->ninst; i++) {
		struct snap_inst *in = &s->insts[i];

		for (t = 0; inst_merged(in) && t < in->ntr; t++) {
			struct snap_row *sr = &s->rows[start[in->tr[t].obj]++];

			sr->inst = (uint32_t)i;
			sr->line = in->reply.ptr + in->tr[t].off;
			sr->len = in->tr[t].len;
			sr->quoted = in->tr[t].quoted;
		}
		free(in->tr);
		in->tr = NULL;
		in->ntr = in->trcap = 0;
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

		/* an object only a failed or duplicate instance had is none */
		for (i = 0; i < s->nobjs; i++)
			s->count[t] += s->objs[i].type == (enum hap_obj)t && s->objs[i].n;
		s->sorted[t] = malloc((s->count[t] ? s->count[t] : 1) * sizeof(*s->sorted[t]));
		if (!s->sorted[t])
			return HAP_ENOMEM;
		for (i = 0; i < s->nobjs; i++)
			if (s->objs[i].type == (enum hap_obj)t && s->objs[i].n)
				s->sorted[t][k++] = &s->objs[i];
		qsort(s->sorted[t], s->count[t], sizeof(*s->sorted[t]), objcmp);
	}
	return 0;
}

int hap_snap_build_objects(struct hap_snapshot *s)
{
	int ret = s->merge_err;

	if (!ret)
		ret = group_rows(s);
	if (!ret)
		ret = sort_objects(s);
	return ret;
}
