/*
 * prom.c - the merged fleet in the Prometheus text format (version 0.0.4).
 *
 * Metric names and labels are those of HAProxy's own exporter
 * (haproxy_server_current_sessions{proxy,server}, ...), so dashboards
 * written for it work on the merged view. A metric's TYPE comes from
 * HAProxy's typed field nature (hap_field_tag(): nature 'C' is a counter,
 * everything else a gauge), never from its name.
 *
 * Merged values follow the library's aggregation rules, except counters:
 * they are summed from per-instance values carried across scrapes, keyed by
 * endpoint and pid, so a restarted instance, an old worker that exits or an
 * instance that does not answer leaves its last value in the sum and the
 * sum never goes backwards (Prometheus would read a drop as a reset).
 *
 * Must never: print a value that is absent or disagreeing (the sample is
 * left out), or emit a family twice (the format forbids it).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "prom.h"

struct sb {
	char *p;
	size_t len, cap;
	int oom;
};

static void sb_put(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		char *np;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		np = realloc(b->p, ncap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_fmt(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(struct sb *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* A label value: backslash, double quote and newline escaped. */
static void sb_label(struct sb *b, const char *name, const char *v, size_t n)
{
	size_t i;

	sb_str(b, name);
	sb_put(b, "=\"", 2);
	for (i = 0; i < n; i++) {
		if (v[i] == '\\' || v[i] == '"')
			sb_put(b, "\\", 1);
		if (v[i] == '\n')
			sb_put(b, "\\n", 2);
		else
			sb_put(b, &v[i], 1);
	}
	sb_put(b, "\"", 1);
}

#include "prom_names.h"

/* ---- counters carried across scrapes ---- */

struct carry {
	size_t inst; /* interned "endpoint pid N" */
	int64_t base, last;
	unsigned gen;
};

struct series {
	char *key;
	struct carry *e;
	size_t n, cap;
};

struct prom {
	int per_instance;
	unsigned gen;
	struct series **tab; /* open addressing, power of two */
	size_t tabsize, nseries;
	char **inst; /* interned instance identities */
	size_t ninst, instcap;
	int oom;
};

struct prom *prom_new(int per_instance)
{
	struct prom *p = calloc(1, sizeof(*p));

	if (p)
		p->per_instance = per_instance;
	return p;
}

void prom_free(struct prom *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->tabsize; i++)
		if (p->tab[i]) {
			free(p->tab[i]->key);
			free(p->tab[i]->e);
			free(p->tab[i]);
		}
	free(p->tab);
	for (i = 0; i < p->ninst; i++)
		free(p->inst[i]);
	free(p->inst);
	free(p);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int grow(struct prom *p)
{
	size_t nsize = p->tabsize ? p->tabsize * 2 : 1024, i;
	struct series **nt = calloc(nsize, sizeof(*nt));

	if (!nt)
		return -1;
	for (i = 0; i < p->tabsize; i++) {
		size_t j;

		if (!p->tab[i])
			continue;
		for (j = hash(p->tab[i]->key) & (nsize - 1); nt[j]; j = (j + 1) & (nsize - 1))
			;
		nt[j] = p->tab[i];
	}
	free(p->tab);
	p->tab = nt;
	p->tabsize = nsize;
	return 0;
}

static struct series *series_get(struct prom *p, const char *key)
{
	struct series *se;
	size_t j;

	if ((p->nseries + 1) * 2 > p->tabsize && grow(p))
		return NULL;
	for (j = hash(key) & (p->tabsize - 1); p->tab[j]; j = (j + 1) & (p->tabsize - 1))
		if (strcmp(p->tab[j]->key, key) == 0)
			return p->tab[j];
	se = calloc(1, sizeof(*se));
	if (!se || !(se->key = strdup(key))) {
		free(se);
		return NULL;
	}
	p->tab[j] = se;
	p->nseries++;
	return se;
}

static struct carry *carry_get(struct series *se, size_t inst)
{
	size_t i;

	for (i = 0; i < se->n; i++)
		if (se->e[i].inst == inst)
			return &se->e[i];
	if (se->n == se->cap) {
		size_t ncap = se->cap ? se->cap * 2 : 4;
		struct carry *ne = realloc(se->e, ncap * sizeof(*ne));

		if (!ne)
			return NULL;
		se->e = ne;
		se->cap = ncap;
	}
	memset(&se->e[se->n], 0, sizeof(se->e[0]));
	se->e[se->n].inst = inst;
	return &se->e[se->n++];
}

/* The identity of instance i: its display name and pid, so a restarted
 * process behind the same socket is a new instance. (size_t)-1 when out of
 * memory. */
static size_t intern(struct prom *p, const struct hap_snapshot *s, size_t i)
{
	struct hap_value pid;
	char id[1024];
	size_t k;

	hap_snapshot_info(&pid, s, i, "Pid");
	snprintf(id, sizeof(id), "%s pid %lld", hap_instance_name(s, i),
	         pid.kind == HAP_VALUE_NUMBER ? (long long)pid.num : -1LL);
	for (k = 0; k < p->ninst; k++)
		if (strcmp(p->inst[k], id) == 0)
			return k;
	if (p->ninst == p->instcap) {
		size_t ncap = p->instcap ? p->instcap * 2 : 16;
		char **ni = realloc(p->inst, ncap * sizeof(*ni));

		if (!ni)
			return (size_t)-1;
		p->inst = ni;
		p->instcap = ncap;
	}
	if (!(p->inst[p->ninst] = strdup(id)))
		return (size_t)-1;
	return p->ninst++;
}

/* ---- rendering ---- */

struct render {
	struct prom *p;
	const struct hap_snapshot *s;
	size_t ninst;
	size_t *ident;  /* instance -> interned identity */
	int *counted;   /* instance answered, is no duplicate and is not excluded */
	struct sb *fam; /* one buffer per family of the current table */
	unsigned char *typed;
};

static void sample(struct sb *b, const char *prefix, const struct pmetric *m, const char *labels,
                   const char *inst, size_t ilen, double v)
{
	char num[64];

	sb_str(b, prefix);
	sb_str(b, m->name);
	sb_put(b, "{", 1);
	sb_str(b, labels);
	if (m->label) {
		if (*labels)
			sb_put(b, ",", 1);
		sb_str(b, m->label);
	}
	if (inst) {
		if (*labels || m->label)
			sb_put(b, ",", 1);
		sb_label(b, "instance", inst, ilen);
	}
	if (v == (double)(int64_t)v)
		snprintf(num, sizeof(num), "%" PRId64, (int64_t)v);
	else
		snprintf(num, sizeof(num), "%.6g", v);
	sb_put(b, "} ", 2);
	sb_str(b, num);
	sb_put(b, "\n", 1);
}

/*
 * One field of one object (or of "show info" when type < 0): vals holds the
 * aggregate then each holder's value (holders[k] is the instance index of
 * value k + 1). Counters go through the carry table.
 */
/* A text (status): one sample with the state as a label. */
static void emit_status(struct render *r, struct sb *b, const char *prefix, const struct pmetric *m,
                        const char *labels, const struct hap_value *agg,
                        const struct hap_value *const *vals, const size_t *holders, size_t nh)
{
	char st[64];
	const struct hap_value *v = agg;
	size_t k;

	for (k = 0; k <= (r->p->per_instance ? nh : 0); k++) {
		struct sb lb = { 0 };

		if (r->p->per_instance) {
			if (k == nh)
				break;
			if (!r->counted[holders[k]])
				continue;
			v = vals[k];
		}
		if (v->kind != HAP_VALUE_TEXT || v->len >= sizeof(st))
			continue;
		memcpy(st, v->text, v->len);
		st[v->len] = '\0';
		sb_str(&lb, labels);
		if (*labels)
			sb_put(&lb, ",", 1);
		sb_label(&lb, "state", st, v->len);
		if (!lb.oom)
			sample(b, prefix, m, lb.p,
			       r->p->per_instance ? hap_instance_name(r->s, holders[k]) : NULL,
			       r->p->per_instance ? strlen(hap_instance_name(r->s, holders[k])) : 0,
			       1);
		b->oom |= lb.oom;
		free(lb.p);
	}
}

/* The series of a counter (name, prefix, labels): NULL out of memory. */
static struct series *counter_series(struct render *r, const char *prefix, const struct pmetric *m,
                                     const char *labels)
{
	struct sb key = { 0 };
	struct series *se;

	sb_str(&key, m->name);
	sb_put(&key, "\x1f", 1);
	sb_str(&key, prefix);
	sb_put(&key, "\x1f", 1);
	sb_str(&key, labels);
	if (m->label)
		sb_str(&key, m->label);
	se = key.oom ? NULL : series_get(r->p, key.p);
	free(key.p);
	return se;
}

/* A counter: carried across restarts and resets of each process. */
static void emit_counter(struct render *r, struct sb *b, const char *prefix, int type,
                         const struct pmetric *m, const char *labels,
                         const struct hap_value *const *vals, const size_t *holders, size_t nh,
                         double scale)
{
	struct series *se;
	enum hap_rule rule = hap_field_rule(type, m->field);
	int64_t total = 0;
	int any = 0;
	size_t k;

	se = counter_series(r, prefix, m, labels);
	if (!se) {
		r->p->oom = 1;
		return;
	}
	for (k = 0; k < nh; k++) {
		size_t i = holders[k];
		struct carry *e;

		if (!r->counted[i] || vals[k]->kind != HAP_VALUE_NUMBER ||
		    r->ident[i] == (size_t)-1)
			continue;
		e = carry_get(se, r->ident[i]);
		if (!e) {
			r->p->oom = 1;
			return;
		}
		/* the same process counted lower: a counter reset ("clear counters") */
		if (vals[k]->num < e->last)
			e->base += e->last;
		e->last = vals[k]->num;
		e->gen = r->p->gen;
		any = 1;
		if (r->p->per_instance) {
			const char *in = hap_instance_name(r->s, i);

			sample(b, prefix, m, labels, in, strlen(in),
			       (double)(e->base + e->last) * scale);
		}
	}
	if (r->p->per_instance || (!any && !se->n))
		return;
	/* every process ever seen: the live ones and the carried ones */
	for (k = 0; k < se->n; k++) {
		int64_t v = se->e[k].base + se->e[k].last;

		if (rule == HAP_RULE_MAX)
			total = v > total ? v : total;
		else
			total += v;
	}
	if (se->n)
		sample(b, prefix, m, labels, NULL, 0, (double)total * scale);
}

static void emit(struct render *r, struct sb *b, const char *prefix, int type,
                 const struct pmetric *m, const char *labels, const struct hap_value *agg,
                 const struct hap_value *const *vals, const size_t *holders, size_t nh)
{
	const char *tag = hap_field_tag(type, m->field);
	int counter = tag && tag[0] == 'M' && tag[1] == 'C';
	double scale = m->ms ? 0.001 : 1;
	size_t k;

	if (strcmp(m->field, "status") == 0) {
		emit_status(r, b, prefix, m, labels, agg, vals, holders, nh);
		return;
	}
	if (counter) {
		emit_counter(r, b, prefix, type, m, labels, vals, holders, nh, scale);
		return;
	}
	if (r->p->per_instance) {
		for (k = 0; k < nh; k++) {
			const char *in = hap_instance_name(r->s, holders[k]);

			if (r->counted[holders[k]] && vals[k]->kind == HAP_VALUE_NUMBER)
				sample(b, prefix, m, labels, in, strlen(in),
				       (double)vals[k]->num * scale);
		}
	} else if (agg->kind == HAP_VALUE_NUMBER) {
		sample(b, prefix, m, labels, NULL, 0, (double)agg->num * scale);
	}
}

static void header(struct sb *b, const char *prefix, const struct pmetric *m, int type)
{
	const char *tag = hap_field_tag(type, m->field);
	int counter = tag && tag[0] == 'M' && tag[1] == 'C';

	sb_fmt(b, "# HELP %s%s %s\n# TYPE %s%s %s\n", prefix, m->name, m->help ? m->help : "",
	       prefix, m->name, counter ? "counter" : "gauge");
}

/* Index in the table of the family's first row. */
static size_t family_of(const struct pmetric *t, size_t i)
{
	while (i > 0 && strcmp(t[i - 1].name, t[i].name) == 0)
		i--;
	return i;
}

/* The metrics of the table this object type has and the snapshot holds:
 * their field indexes into sel, their rows into mrow; their count. */
static size_t select_metrics(const struct hap_snapshot *s, int type, size_t *sel, size_t *mrow)
{
	size_t nm = prom_nstat_metrics, nsel = 0, x;

	for (x = 0; x < nm; x++) {
		int f;

		if (!hap_field_tag(type, prom_stat_metrics[x].field))
			continue;
		f = hap_snapshot_field_index(s, prom_stat_metrics[x].field);
		if (f < 0)
			continue;
		sel[nsel] = (size_t)f;
		mrow[nsel++] = x;
	}
	return nsel;
}

/* proxy="..." (and server="..." for a server). */
static void object_labels(struct sb *lb, int type, const struct hap_object *o)
{
	if (type == HAP_OBJ_SERVER) {
		const char *be = hap_object_backend(o);

		sb_label(lb, "proxy", be, strlen(be));
		sb_put(lb, ",", 1);
		sb_label(lb, "server", hap_object_name(o), strlen(hap_object_name(o)));
	} else {
		sb_label(lb, "proxy", hap_object_name(o), strlen(hap_object_name(o)));
	}
}

/* Families in table order, each with its header once: 0, or -1 out of memory. */
static int families_out(struct sb *out, const char *prefix, int type, const struct sb *fam,
                        size_t nm)
{
	size_t x;

	for (x = 0; x < nm; x++) {
		if (!fam[x].len && !fam[x].oom)
			continue;
		if (fam[x].oom)
			return -1;
		header(out, prefix, &prom_stat_metrics[x], type);
		sb_put(out, fam[x].p, fam[x].len);
	}
	return 0;
}

static int render_objects(struct render *r, struct sb *out, int type)
{
	static const char *const prefixes[] = { "haproxy_frontend_", "haproxy_backend_",
		                                "haproxy_server_" };
	const struct hap_snapshot *s = r->s;
	const char *prefix = prefixes[type];
	size_t nm = prom_nstat_metrics, nsel = 0, x, i, k, n;
	size_t *sel = calloc(nm, sizeof(*sel));
	size_t *mrow = calloc(nm, sizeof(*mrow));
	struct sb *fam = calloc(nm, sizeof(*fam));
	struct hap_value *v = NULL;
	const struct hap_value **pv = NULL;
	size_t *holders = NULL, vcap = 0;
	int ret = -1;

	if (!sel || !mrow || !fam)
		goto out;
	nsel = select_metrics(s, type, sel, mrow);
	n = hap_snapshot_count(s, (enum hap_obj)type);
	for (i = 0; i < n; i++) {
		const struct hap_object *o = hap_snapshot_object(s, (enum hap_obj)type, i);
		size_t nh = hap_object_instance_count(o);
		struct sb lb = { 0 };

		if ((1 + nh) * (nsel ? nsel : 1) > vcap) {
			vcap = (1 + nh) * (nsel ? nsel : 1) * 2;
			free(v);
			free(pv);
			free(holders);
			v = calloc(vcap, sizeof(*v));
			pv = calloc(vcap, sizeof(*pv));
			holders = calloc(vcap, sizeof(*holders));
			if (!v || !pv || !holders)
				goto out;
		}
		if (hap_object_values_select(v, o, sel, nsel))
			continue;
		for (k = 0; k < nh; k++)
			holders[k] = hap_object_instance(o, k);
		object_labels(&lb, type, o);
		if (lb.oom)
			goto out;
		for (x = 0; x < nsel; x++) {
			size_t f0 = family_of(prom_stat_metrics, mrow[x]);

			for (k = 0; k < nh; k++)
				pv[k] = &v[(1 + k) * nsel + x];
			emit(r, &fam[f0], prefix, type, &prom_stat_metrics[mrow[x]], lb.p, &v[x],
			     pv, holders, nh);
		}
		free(lb.p);
	}
	if (families_out(out, prefix, type, fam, nm))
		goto out;
	ret = r->p->oom ? -1 : 0;
out:
	for (x = 0; fam && x < nm; x++)
		free(fam[x].p);
	free(fam);
	free(sel);
	free(mrow);
	free(v);
	free(pv);
	free(holders);
	return ret;
}

static void render_info(struct render *r, struct sb *out)
{
	const char *prefix = "haproxy_process_";
	size_t x, i;
	size_t *holders = calloc(r->ninst ? r->ninst : 1, sizeof(*holders));
	struct hap_value *v = calloc(r->ninst + 1, sizeof(*v));
	const struct hap_value **pv = calloc(r->ninst ? r->ninst : 1, sizeof(*pv));

	if (!holders || !v || !pv) {
		r->p->oom = 1;
		goto out;
	}
	for (x = 0; x < prom_ninfo_metrics; x++) {
		const struct pmetric *m = &prom_info_metrics[x];
		struct sb fam = { 0 };

		hap_snapshot_info(&v[0], r->s, HAP_AGGREGATE, m->field);
		for (i = 0; i < r->ninst; i++) {
			holders[i] = i;
			hap_snapshot_info(&v[1 + i], r->s, i, m->field);
			pv[i] = &v[1 + i];
		}
		emit(r, &fam, prefix, -1, m, "", &v[0], pv, holders, r->ninst);
		if (fam.len) {
			header(out, prefix, m, -1);
			sb_put(out, fam.p, fam.len);
		}
		out->oom |= fam.oom;
		free(fam.p);
	}
out:
	free(holders);
	free(v);
	free(pv);
}

int prom_render(struct prom *p, const struct hap_snapshot *s, double secs, char **out, size_t *len)
{
	struct render r;
	struct sb b = { 0 };
	size_t i;
	int t, ret = -1;

	memset(&r, 0, sizeof(r));
	r.p = p;
	r.s = s;
	r.ninst = hap_snapshot_instance_count(s);
	r.ident = calloc(r.ninst ? r.ninst : 1, sizeof(*r.ident));
	r.counted = calloc(r.ninst ? r.ninst : 1, sizeof(*r.counted));
	if (!r.ident || !r.counted)
		goto out;
	p->gen++;
	p->oom = 0;
	sb_str(&b, "# HELP haproxyadmin_instance_up Whether the instance answered this scrape.\n"
	           "# TYPE haproxyadmin_instance_up gauge\n");
	for (i = 0; i < r.ninst; i++) {
		const char *name = hap_instance_name(s, i);
		unsigned fl = hap_instance_flags(s, i);
		int up = hap_result_code(hap_snapshot_result(s), i) == 0;

		r.counted[i] = up && !(fl & (HAP_INST_DUPLICATE | HAP_INST_EXCLUDED));
		r.ident[i] = up ? intern(p, s, i) : (size_t)-1;
		sb_str(&b, "haproxyadmin_instance_up{");
		sb_label(&b, "instance", name, strlen(name));
		sb_fmt(&b, "} %d\n", up);
	}
	sb_fmt(&b,
	       "# HELP haproxyadmin_instances_counted Instances in the merged values.\n"
	       "# TYPE haproxyadmin_instances_counted gauge\n"
	       "haproxyadmin_instances_counted %zu\n"
	       "# HELP haproxyadmin_snapshot_duration_seconds Time to read every instance.\n"
	       "# TYPE haproxyadmin_snapshot_duration_seconds gauge\n"
	       "haproxyadmin_snapshot_duration_seconds %.6f\n",
	       hap_snapshot_live_count(s), secs);
	render_info(&r, &b);
	for (t = 0; t < 3; t++)
		if (render_objects(&r, &b, t))
			goto out;
	if (b.oom || p->oom)
		goto out;
	*out = b.p;
	*len = b.len;
	b.p = NULL;
	ret = 0;
out:
	free(b.p);
	free(r.ident);
	free(r.counted);
	return ret;
}
