/*
 * aggregate.c - the values of a snapshot: one instance's, or the fleet's
 * aggregated by the rule table (sum, max, min, avg, agree), from rows kept
 * as CSV lines and split only when a value is asked for.
 *
 * Must never: pick one instance's value when they differ (that is
 * HAP_VALUE_DISAGREE), or count a duplicate or excluded instance.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "haproxyadmin.h"
#include "model/snapshot_int.h"
#include "util/banned.h"

/* The value of a field that is not a short unsigned number. */
static void value_slow(struct hap_snapshot *s, struct hap_value *v, struct hap_view f)
{
	int64_t num;

	memset(v, 0, sizeof(*v));
	if (hap_num_i64(f, &num) == 0) {
		v->kind = HAP_VALUE_NUMBER;
		v->num = num;
		return;
	}
	v->kind = HAP_VALUE_TEXT;
	v->text = f.p;
	v->len = f.n;
	if (memchr(f.p, '"', f.n)) {
		/* a quoted CSV field with doubled quotes: decode once, keep in
		 * the arena, which readers on other threads may share */
		static pthread_mutex_t arena_mu = PTHREAD_MUTEX_INITIALIZER;
		struct hap_buf b = HAP_BUF_INIT;
		char *copy = NULL;

		if (hap_csv_text(f, &b) == 0) {
			pthread_mutex_lock(&arena_mu);
			copy = hap_arena_strndup(&s->arena, b.ptr, b.len);
			pthread_mutex_unlock(&arena_mu);
		}
		if (copy) {
			v->text = copy;
			v->len = b.len;
		}
		hap_buf_release(&b);
	}
}

/* Inline, every member written one by one: the evaluation reads them back
 * at once (a struct built by memset and narrower stores stalls that). */
static inline void value_of(struct hap_snapshot *s, struct hap_value *v, struct hap_view f)
{
	v->text = NULL;
	v->len = 0;
	if (f.n == 0) {
		v->kind = HAP_VALUE_ABSENT;
		v->num = 0;
		return;
	}
	if (f.n <= 18) {
		/* the common case, a short unsigned number: no overflow possible */
		uint64_t u = 0;
		size_t i;

		for (i = 0; i < f.n && (unsigned)(f.p[i] - '0') <= 9; i++)
			u = u * 10 + (unsigned)(f.p[i] - '0');
		if (i == f.n) {
			v->kind = HAP_VALUE_NUMBER;
			v->num = (int64_t)u;
			return;
		}
	}
	value_slow(s, v, f);
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

static inline void acc_feed(struct acc *a, const struct hap_value *v)
{
	if (v->kind == HAP_VALUE_ABSENT)
		return;
	if (a->cnt == 0) {
		/* member by member: v was just written that way, and a copy as
		 * a whole (wider loads) would wait for those stores */
		a->first.kind = v->kind;
		a->first.num = v->num;
		a->first.text = v->text;
		a->first.len = v->len;
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

static inline void acc_result(struct hap_value *out, const struct acc *a, enum hap_rule rule)
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
/* past this many fields asked for, a row is split whole */
#define SPLIT_ALL 24

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* The first need fields of a line without any '"' into v: their number.
 * HAProxy's trailing comma makes no empty field. Commas are found 16 bytes
 * at a time with SSE2, else 8 (as stat.c does) where the compiler allows. */
static int split_plain(const char *p, size_t n, struct hap_view *v, size_t need)
{
	size_t i = 0, start = 0, k = 0;

#if defined(__SSE2__)
	/* 16 bytes at a time where the baseline has SSE2 (x86-64) */
	while (k < need && n - i >= 16) {
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, _mm_set1_epi8(',')));

		while (m && k < need) {
			size_t c = i + (size_t)__builtin_ctz(m);

			v[k++] = hap_view_make(p + start, c - start);
			start = c + 1;
			m &= m - 1;
		}
		i += 16;
	}
#endif
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (k < need && n - i >= 8) {
		uint64_t w, x, m;

		memcpy(&w, p + i, 8);
		x = w ^ (ONES * ',');
		/* 0x80 in exactly the bytes of w that are ',' */
		m = ~(((x & ~HIGHS) + ~HIGHS) | x) & HIGHS;
		while (m && k < need) {
			size_t c = i + (size_t)__builtin_ctzll(m) / 8;

			v[k++] = hap_view_make(p + start, c - start);
			start = c + 1;
			m &= m - 1;
		}
		i += 8;
	}
#endif
	for (; k < need && i < n; i++) {
		if (p[i] == ',') {
			v[k++] = hap_view_make(p + start, i - start);
			start = i + 1;
		}
	}
	if (k < need && start < n)
		v[k++] = hap_view_make(p + start, n - start);
	return (int)k;
}

/* Split row into *views (stackv, or a larger array it allocates) far
 * enough for fields fids[0..nf) (all when fids is NULL); *nv: the fields
 * split, negative when the row does not split. 0 or HAP_ENOMEM. */
static int split_row(const struct hap_stat_row *row, int quoted, const struct snap_inst *in,
                     const size_t *fids, size_t nf, struct hap_view **views,
                     struct hap_view *stackv, size_t *maxv, int *nv)
{
	struct hap_view *v = *views;
	size_t x;
	int n;

	if (!quoted && (!fids || nf > SPLIT_ALL)) {
		/* many fields (all, for a dump): the whole row, unless it
		 * holds more fields than the views (then below) */
		n = split_plain(row->line, row->len, v, *maxv);
		if ((size_t)n < *maxv) {
			*nv = n;
			return 0;
		}
	} else if (fids) {
		/* a few fields: split the row only up to the last one needed */
		size_t need = 0, pos = 0;
		struct hap_view f;

		for (x = 0; x < nf; x++)
			if (in->colmap[fids[x]] >= 0 && (size_t)in->colmap[fids[x]] + 1 > need)
				need = (size_t)in->colmap[fids[x]] + 1;
		if (need <= *maxv && !quoted) {
			/* no quoted field (the common case): commas are separators */
			*nv = split_plain(row->line, row->len, v, need);
			return 0;
		}
		if (need <= *maxv) {
			n = 0;
			while ((size_t)n < need && hap_csv_next(row->line, row->len, &pos, &f) == 1)
				v[n++] = f;
			*nv = n;
			return 0;
		}
	}
	n = hap_csv_split(row->line, row->len, v, *maxv);
	if (n > (int)*maxv) {
		struct hap_view *big = malloc((size_t)n * sizeof(*big));

		if (!big)
			return HAP_ENOMEM;
		if (v != stackv)
			free(v);
		*views = v = big;
		*maxv = (size_t)n;
		n = hap_csv_split(row->line, row->len, v, *maxv);
	}
	*nv = n;
	return 0;
}

/* Evaluate fields fids[0..nf) (all fields when fids is NULL) of object o. */
/* eval() mode: the aggregate and every instance's values, in one pass */
/* accumulators of this many fields live on the stack */
#define ACC_STACK 128
#define EVAL_ALL  ((size_t)-2)

static int eval(struct hap_value *out, const struct hap_object *o, size_t k, const size_t *fids,
                size_t nf)
{
	struct hap_snapshot *s = o->s;
	struct hap_view stackv[SPLIT_STACK], *views = stackv;
	size_t maxv = SPLIT_STACK, r, x;
	struct acc stacka[ACC_STACK], *accs = NULL;
	int ret = 0;

	if (!fids)
		nf = s->nfields;
	if (k != EVAL_ALL)
		for (x = 0; x < nf; x++)
			memset(&out[x], 0, sizeof(out[x]));
	if (k == HAP_AGGREGATE || k == EVAL_ALL) {
		accs = nf <= ACC_STACK ? stacka : malloc(nf * sizeof(*accs));
		if (!accs)
			return HAP_ENOMEM;
		memset(accs, 0, nf * sizeof(*accs));
	} else if (k >= o->n) {
		return HAP_EINVAL;
	}
	for (r = 0; r < o->n; r++) {
		const struct snap_row *sr = &s->rows[o->first + r];
		const struct snap_inst *in = &s->insts[sr->inst];
		const struct hap_stat_row rowv = {
			sr->line, sr->len, 0, 0, { NULL, 0 }, { NULL, 0 }
		};
		const struct hap_stat_row *row = &rowv;
		int nv, counts;

		if (k != HAP_AGGREGATE && k != EVAL_ALL && r != k)
			continue;
		if (k == HAP_AGGREGATE && !hap_snap_inst_counts(in))
			continue;
		counts = hap_snap_inst_counts(in);
		ret = split_row(row, sr->quoted, in, fids, nf, &views, stackv, &maxv, &nv);
		if (ret)
			goto out;
		if (nv < 0) {
			for (x = 0; k == EVAL_ALL && x < nf; x++)
				memset(&out[(1 + r) * nf + x], 0, sizeof(out[0]));
			continue;
		}
		for (x = 0; x < nf; x++) {
			size_t f = fids ? fids[x] : x;
			int col = in->colmap[f];
			struct hap_value tmp, *v = k == EVAL_ALL ? &out[(1 + r) * nf + x]
			                           : accs        ? &tmp
			                                         : &out[x];

			if (col < 0 || col >= nv)
				value_of(s, v, hap_view_make(NULL, 0));
			else
				value_of(s, v, views[col]);
			/* every row once: its own values, and the aggregate */
			if (accs && (k != EVAL_ALL || counts))
				acc_feed(&accs[x], v);
		}
	}
	for (x = 0; accs && x < nf; x++)
		acc_result(&out[x], &accs[x], s->rules[o->type][fids ? fids[x] : x]);
out:
	if (views != stackv)
		free(views);
	if (accs != stacka)
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
		if (hap_snap_info_get(&s->insts[i], key, &v))
			value_of(ms, out, v);
		return 0;
	}
	memset(&a, 0, sizeof(a));
	for (x = 0; x < s->ninst; x++) {
		struct hap_value v;
		struct hap_view f;

		if (!hap_snap_inst_counts(&s->insts[x]) ||
		    !hap_snap_info_get(&s->insts[x], key, &f))
			continue;
		value_of(ms, &v, f);
		acc_feed(&a, &v);
	}
	acc_result(out, &a, hap_field_rule(-1, key));
	return 0;
}
