/*
 * top_read.c - the reader of the live view: one snapshot per refresh, taken
 * in a child process (the screen stays responsive while it runs), sent to
 * the screen as a compact serialization, and turned there into rows with
 * aggregates, disagreements and rates. The child's side (the writer) is
 * top_write.c; this file is the format and the parent's side.
 *
 * Wire format (child to parent, one write stream, ends at EOF):
 *   "HT1" | uv mask | ninst | ninst * instance | nrows | nrows * row
 *   instance: str name, sv status, str msg, uv flags, str node, str version,
 *             val pid, val uptime, val connrate, val idle, val conns
 *   row:      byte type, str name, str backend, uv n, n * uv inst, then for
 *             each field of the mask: byte 4 and one val (every instance holds
 *             it), or n * val
 *   or "HTE" str message for a fleet-wide failure.
 * uv: unsigned LEB128; sv: zig-zag uv; str: uv length, bytes, NUL;
 * val: byte 0 absent | 1 then sv number | 2 then str (a text field).
 *
 * Must never: print, or touch the terminal (it runs in the child).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "top.h"

const char *const top_field_names[TF_COUNT] = {
	"status",       "weight",   "scur",     "smax",     "slim",     "qcur",
	"check_status", "lastchg",  "bin",      "bout",     "stot",     "req_tot",
	"hrsp_1xx",     "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other",
	"ereq",         "econ",     "eresp",    "wretr",    "wredis",
};

int top_field_is_text(int f)
{
	return f == TF_STATUS || f == TF_CHECK;
}

/* ---------------------------------------------------------------- interning */

static struct {
	char **s;
	size_t n;
	uint32_t *slot; /* id + 1, 0 empty */
	size_t cap;
} itab;

static uint32_t hash_str(const char *s, size_t n, uint32_t seed)
{
	uint32_t h = 2166136261u ^ seed;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* The id of a text, -1 when memory runs out. */
static int64_t intern(const char *s, size_t n)
{
	uint32_t h;
	size_t i;

	if (itab.n * 2 >= itab.cap) {
		size_t ncap = itab.cap ? itab.cap * 2 : 256;
		uint32_t *ns = calloc(ncap, sizeof(*ns));
		char **nstr = realloc(itab.s, ncap * sizeof(*nstr));

		if (!ns || !nstr) {
			free(ns);
			if (nstr)
				itab.s = nstr;
			return -1;
		}
		itab.s = nstr;
		for (i = 0; i < itab.n; i++) {
			size_t j = hash_str(itab.s[i], strlen(itab.s[i]), 0) & (ncap - 1);

			while (ns[j])
				j = (j + 1) & (ncap - 1);
			ns[j] = (uint32_t)i + 1;
		}
		free(itab.slot);
		itab.slot = ns;
		itab.cap = ncap;
	}
	h = hash_str(s, n, 0);
	for (i = h & (itab.cap - 1); itab.slot[i]; i = (i + 1) & (itab.cap - 1)) {
		const char *t = itab.s[itab.slot[i] - 1];

		if (strlen(t) == n && memcmp(t, s, n) == 0)
			return itab.slot[i] - 1;
	}
	itab.s[itab.n] = strndup(s, n);
	if (!itab.s[itab.n])
		return -1;
	itab.slot[i] = (uint32_t)itab.n + 1;
	return (int64_t)itab.n++;
}

const char *top_text(int64_t id)
{
	if (id < 0 || (size_t)id >= itab.n)
		return "?";
	return itab.s[id];
}

/* ---------------------------------------------------------------- parser */

struct rbuf {
	const unsigned char *p, *end;
	int bad;
};

static uint64_t ruv(struct rbuf *r)
{
	uint64_t v = 0;
	int shift = 0;

	while (r->p < r->end && shift < 64) {
		unsigned char b = *r->p++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		shift += 7;
	}
	r->bad = 1;
	return 0;
}

static int64_t rsv(struct rbuf *r)
{
	uint64_t u = ruv(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static const char *rstr(struct rbuf *r, size_t *len)
{
	uint64_t n = ruv(r);
	const char *s;

	if (len)
		*len = 0;
	if (r->bad || n >= (uint64_t)(r->end - r->p) || r->p[n] != '\0') {
		r->bad = 1;
		return "";
	}
	s = (const char *)r->p;
	r->p += n + 1;
	if (len)
		*len = (size_t)n;
	return s;
}

static int64_t rval(struct rbuf *r, int text)
{
	unsigned char t;
	size_t n = 0;
	const char *s;

	if (r->p >= r->end) {
		r->bad = 1;
		return TOP_ABSENT;
	}
	t = *r->p++;
	if (t == 0)
		return TOP_ABSENT;
	if (t == 1)
		return text ? intern("?", 1) : rsv(r);
	if (t == 2) {
		s = rstr(r, &n);
		return text ? intern(s, n) : TOP_ABSENT;
	}
	r->bad = 1;
	return TOP_ABSENT;
}

/* ---- rules and aggregation ---- */

static enum hap_rule rules[3][TF_COUNT];
static int rules_ready;

static void rules_init(void)
{
	int t, f;

	if (rules_ready)
		return;
	for (t = 0; t < 3; t++)
		for (f = 0; f < TF_COUNT; f++)
			rules[t][f] = top_field_is_text(f) ? HAP_RULE_AGREE
			                                   : hap_field_rule(t, top_field_names[f]);
	rules_ready = 1;
}

static void aggregate(struct top_row *row, const struct top_model *m)
{
	int f;
	size_t k;

	row->disagree = 0;
	for (f = 0; f < TF_COUNT; f++) {
		enum hap_rule rule = rules[row->type < 3 ? row->type : 0][f];
		int64_t acc = TOP_ABSENT, sum = 0;
		size_t cnt = 0;

		for (k = 0; k < row->n; k++) {
			int64_t v = row->v[k * TF_COUNT + (size_t)f];

			/* old workers count (their sessions are still served),
			 * duplicates do not */
			if (m->inst[row->inst[k]].flags & HAP_INST_DUPLICATE)
				continue;
			if (v == TOP_ABSENT)
				continue;
			switch (rule) {
			case HAP_RULE_AGREE:
				if (acc == TOP_ABSENT)
					acc = v;
				else if (acc != v)
					row->disagree |= 1u << f;
				break;
			case HAP_RULE_SUM:
			case HAP_RULE_AVG:
				sum += v;
				cnt++;
				acc = sum;
				break;
			case HAP_RULE_MAX:
				if (acc == TOP_ABSENT || v > acc)
					acc = v;
				break;
			case HAP_RULE_MIN:
				if (v >= 0 && (acc == TOP_ABSENT || v < acc))
					acc = v;
				break;
			}
		}
		if (rule == HAP_RULE_AVG && cnt)
			acc = (sum + (int64_t)cnt / 2) / (int64_t)cnt;
		row->agg[f] = acc;
	}
}

/* ---- carrying state over from the previous read ---- */

static uint32_t row_hash(int type, const char *backend, const char *name)
{
	return hash_str(
	        name, strlen(name),
	        hash_str(backend ? backend : "", backend ? strlen(backend) : 0, (uint32_t)type));
}

struct rowmap {
	uint32_t *slot; /* row index + 1 */
	size_t cap;
};

static int rowmap_build(struct rowmap *rm, const struct top_model *m)
{
	size_t i;

	rm->cap = 16;
	while (rm->cap < m->nrows * 2)
		rm->cap *= 2;
	rm->slot = calloc(rm->cap, sizeof(*rm->slot));
	if (!rm->slot)
		return -1;
	for (i = 0; i < m->nrows; i++) {
		const struct top_row *r = &m->rows[i];
		size_t j = row_hash(r->type, r->backend, r->name) & (rm->cap - 1);

		while (rm->slot[j])
			j = (j + 1) & (rm->cap - 1);
		rm->slot[j] = (uint32_t)i + 1;
	}
	return 0;
}

static const struct top_row *rowmap_find(const struct rowmap *rm, const struct top_model *m,
                                         const struct top_row *r)
{
	size_t j = row_hash(r->type, r->backend, r->name) & (rm->cap - 1);

	for (; rm->slot[j]; j = (j + 1) & (rm->cap - 1)) {
		const struct top_row *o = &m->rows[rm->slot[j] - 1];

		if (o->type == r->type && strcmp(o->name, r->name) == 0 &&
		    ((!o->backend && !r->backend) ||
		     (o->backend && r->backend && strcmp(o->backend, r->backend) == 0)))
			return o;
	}
	return NULL;
}

static const int rate_src[TR_COUNT] = { TF_BIN, TF_BOUT, TF_STOT, TF_REQTOT };
#define RATE_MASK ((1u << TF_BIN) | (1u << TF_BOUT) | (1u << TF_STOT) | (1u << TF_REQTOT))

/* Rates of one row against its previous read: per instance, and only where
 * the same process was read both times and the counter did not go back
 * (a restart or "clear counters" resets the baseline). */
static void rates(struct top_row *row, const struct top_row *old, const int *imap, double dt)
{
	size_t k, j;
	int x;

	for (x = 0; x < TR_COUNT; x++)
		row->agg_rate[x] = TOP_NORATE;
	for (k = 0; k < row->n; k++) {
		const int64_t *ov = NULL;

		if (old && dt > 0) {
			for (j = 0; j < old->n; j++) {
				if (imap[old->inst[j]] == (int)row->inst[k]) {
					ov = &old->v[j * TF_COUNT];
					break;
				}
			}
		}
		for (x = 0; x < TR_COUNT; x++) {
			int64_t nv = row->v[k * TF_COUNT + (size_t)rate_src[x]];
			float r = TOP_NORATE;

			if (ov && nv != TOP_ABSENT && ov[rate_src[x]] != TOP_ABSENT &&
			    nv >= ov[rate_src[x]])
				r = (float)((double)(nv - ov[rate_src[x]]) / dt);
			row->rate[k * TR_COUNT + (size_t)x] = r;
			if (r >= 0)
				row->agg_rate[x] =
				        (row->agg_rate[x] < 0 ? 0 : row->agg_rate[x]) + r;
		}
	}
}

void top_model_release(struct top_model *m)
{
	free(m->buf);
	free(m->inst);
	free(m->rows);
	free(m->inst_pool);
	free(m->val_pool);
	free(m->rate_pool);
	memset(m, 0, sizeof(*m));
}

static void set_err(struct top_model *m, const char *msg)
{
	snprintf(m->err, sizeof(m->err), "%s", msg);
}

struct top_parse {
	struct top_model m;
	struct rbuf r;
	const struct top_model *prev;
	int phase; /* 0: rows, 1: matching with the previous read, 2: done */
	size_t i, nholders, cap_h;
	int *imap; /* old instance index -> new one, -1 when not the same process */
	struct rowmap rm;
	int need_rates;
};

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void top_parse_free(struct top_parse *p)
{
	if (!p)
		return;
	top_model_release(&p->m);
	free(p->imap);
	free(p->rm.slot);
	free(p);
}

void top_parse_take(struct top_parse *p, struct top_model *out)
{
	*out = p->m;
	memset(&p->m, 0, sizeof(p->m));
}

struct top_model *top_parse_model(struct top_parse *p)
{
	return &p->m;
}

/* The instances of a read (their count is read already). */
static void read_instances(struct rbuf *r, struct top_model *m)
{
	size_t i;

	for (i = 0; i < m->ninst; i++) {
		struct top_inst *in = &m->inst[i];

		in->name = rstr(r, NULL);
		in->status = (int)rsv(r);
		in->msg = rstr(r, NULL);
		in->flags = (unsigned)ruv(r);
		in->node = rstr(r, NULL);
		in->version = rstr(r, NULL);
		in->pid = rval(r, 0);
		in->uptime = rval(r, 0);
		in->connrate = rval(r, 0);
		in->idle = rval(r, 0);
		in->conns = rval(r, 0);
	}
}

/* The previous read: which instances are the same processes (p->imap),
 * and which restarted. 0, or -1 out of memory. */
static int match_prev(struct top_parse *p, struct top_model *m, const struct top_model *prev,
                      double at)
{
	size_t i, k;

	p->imap = malloc(prev->ninst * sizeof(*p->imap));
	if (!p->imap)
		return -1;
	for (i = 0; i < prev->ninst; i++) {
		const struct top_inst *o = &prev->inst[i];

		p->imap[i] = -1;
		for (k = 0; k < m->ninst; k++) {
			struct top_inst *in = &m->inst[k];

			if (strcmp(o->name, in->name) != 0)
				continue;
			if (o->status || in->status)
				break;
			if (o->pid != in->pid ||
			    (in->uptime != TOP_ABSENT && o->uptime != TOP_ABSENT &&
			     in->uptime < o->uptime)) {
				in->restarted = 1;
				in->restarted_at = at;
				break;
			}
			in->restarted = o->restarted;
			in->restarted_at = o->restarted_at;
			p->imap[i] = (int)k;
			break;
		}
	}
	return 0;
}

/* The magic of a read: 0 for "HT1" (skipped), -1 with m's error set for an
 * error read ("HTE") or anything else. */
static int read_magic(struct rbuf *r, struct top_model *m, const char *buf, size_t len)
{
	if (len >= 3 && memcmp(buf, "HTE", 3) == 0) {
		r->p += 3;
		set_err(m, rstr(r, NULL));
		if (r->bad)
			set_err(m, "the reader failed");
		return -1;
	}
	if (len < 3 || memcmp(buf, "HT1", 3) != 0) {
		set_err(m, len ? "the reader sent something unreadable" : "the reader died");
		return -1;
	}
	r->p += 3;
	return 0;
}

int top_parse_start(struct top_parse **out, char *buf, size_t len, size_t cap, double at,
                    const struct top_model *prev)
{
	struct top_parse *p = calloc(1, sizeof(*p));
	struct top_model *m;
	struct rbuf *r;
	uint64_t n;

	*out = p;
	if (!p) {
		free(buf);
		return -2;
	}
	m = &p->m;
	r = &p->r;
	r->p = (const unsigned char *)buf;
	r->end = (const unsigned char *)buf + len;
	m->buf = buf;
	m->len = len;
	m->cap = cap;
	m->at = at;
	p->prev = prev;
	rules_init();
	if (read_magic(r, m, buf, len))
		return -1;
	m->mask = (uint32_t)ruv(r);
	n = ruv(r);
	if (r->bad || n > 65535)
		goto bad;
	m->ninst = (size_t)n;
	m->inst = calloc(m->ninst ? m->ninst : 1, sizeof(*m->inst));
	if (!m->inst)
		goto oom;
	read_instances(r, m);
	n = ruv(r);
	if (r->bad || n > (uint64_t)(r->end - r->p))
		goto bad;
	m->nrows = (size_t)n;
	m->rows = calloc(m->nrows ? m->nrows : 1, sizeof(*m->rows));
	/* holders: at most ninst per row */
	p->cap_h = m->nrows * (m->ninst ? m->ninst : 1) + 1;
	m->inst_pool = malloc(p->cap_h * sizeof(*m->inst_pool));
	m->val_pool = malloc(p->cap_h * TF_COUNT * sizeof(*m->val_pool));
	m->rate_pool = malloc(p->cap_h * TR_COUNT * sizeof(*m->rate_pool));
	if (!m->rows || !m->inst_pool || !m->val_pool || !m->rate_pool)
		goto oom;
	if (prev && prev->ninst && match_prev(p, m, prev, at))
		goto oom;
	return 0;
bad:
	set_err(m, "the reader sent something unreadable");
	return -1;
oom:
	set_err(m, "out of memory");
	return -1;
}

/* Decode row i. */
static int parse_row(struct top_parse *p, size_t i)
{
	struct top_model *m = &p->m;
	struct rbuf *r = &p->r;
	struct top_row *row = &m->rows[i];
	const char *b;
	uint64_t n;
	size_t k;
	int f;

	if (r->p >= r->end)
		return -1;
	row->type = *r->p++;
	if (row->type > HAP_OBJ_SERVER)
		return -1;
	row->name = rstr(r, NULL);
	b = rstr(r, NULL);
	row->backend = row->type == HAP_OBJ_SERVER ? b : NULL;
	row->group = (uint32_t)i;
	n = ruv(r);
	if (r->bad || n > m->ninst || p->nholders + n > p->cap_h)
		return -1;
	row->n = (uint16_t)n;
	row->inst = &m->inst_pool[p->nholders];
	row->v = &m->val_pool[p->nholders * TF_COUNT];
	row->rate = &m->rate_pool[p->nholders * TR_COUNT];
	p->nholders += n;
	for (k = 0; k < row->n; k++) {
		uint64_t ii = ruv(r);

		if (ii >= m->ninst)
			return -1;
		row->inst[k] = (uint16_t)ii;
	}
	for (f = 0; f < TF_COUNT && row->n; f++) {
		int text = top_field_is_text(f);
		int64_t v;

		if (!(m->mask & (1u << f))) {
			for (k = 0; k < row->n; k++)
				row->v[k * TF_COUNT + (size_t)f] = TOP_ABSENT;
			continue;
		}
		if (r->p < r->end && *r->p == 4) {
			r->p++;
			v = rval(r, text);
			for (k = 0; k < row->n; k++)
				row->v[k * TF_COUNT + (size_t)f] = v;
			continue;
		}
		for (k = 0; k < row->n; k++)
			row->v[k * TF_COUNT + (size_t)f] = rval(r, text);
	}
	if (r->bad)
		return -1;
	aggregate(row, m);
	return 0;
}

int top_parse_step(struct top_parse *p, double budget)
{
	struct top_model *m = &p->m;
	const struct top_model *prev = p->prev;
	double deadline = mono_now() + budget;
	size_t n = 0;

	while (p->phase < 2) {
		if (!(++n & 255) && mono_now() > deadline)
			return 1;
		if (p->phase == 0) {
			if (p->i == m->nrows) {
				/* rows are matched by name only when something carries
				 * over: flags (expanded, folded, tagged) or counters */
				p->need_rates =
				        (m->mask & RATE_MASK) && prev && (prev->mask & RATE_MASK);
				if (prev && prev->nrows && (p->need_rates || prev->flagged) &&
				    rowmap_build(&p->rm, prev)) {
					set_err(m, "out of memory");
					return -1;
				}
				p->phase = 1;
				p->i = 0;
				continue;
			}
			if (parse_row(p, p->i)) {
				set_err(m, "the reader sent something unreadable");
				return -1;
			}
			p->i++;
			continue;
		}
		if (p->i == m->nrows) {
			p->phase = 2;
			break;
		}
		{
			struct top_row *row = &m->rows[p->i];
			const struct top_row *old =
			        p->rm.slot ? rowmap_find(&p->rm, prev, row) : NULL;

			if (old) {
				row->flags = old->flags;
				if (row->flags)
					m->flagged++;
			}
			rates(row, p->need_rates ? old : NULL, p->imap, old ? m->at - prev->at : 0);
			p->i++;
		}
	}
	return 0;
}

int top_model_parse(struct top_model *m, char *buf, size_t len, size_t cap, double at,
                    const struct top_model *prev)
{
	struct top_parse *p;
	int ret = top_parse_start(&p, buf, len, cap, at, prev);

	if (!ret)
		ret = top_parse_step(p, 1e9);
	if (!p) {
		memset(m, 0, sizeof(*m));
		snprintf(m->err, sizeof(m->err), "out of memory");
		return -1;
	}
	top_parse_take(p, m);
	top_parse_free(p);
	return ret ? -1 : 0;
}
