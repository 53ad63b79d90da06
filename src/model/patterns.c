/*
 * patterns.c - the fleet's ACLs and maps merged by file name (as proxies
 * are merged by name), and id resolution: a file name, or a per-instance
 * "#N" resolved on one named instance, becomes the file every holder is
 * addressed by.
 *
 * Owns: struct hap_patterns and its accessors, hap_patterns_resolve(),
 * hap_pattern_holds().
 *
 * Must never: do I/O (the listings come from a snapshot), or resolve a
 * numeric id across instances (ids differ per instance).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/snapshot.h"
#include "model/patterns.h"
#include "util/arena.h"
#include "util/banned.h"

/* ------------------------------------------------------------------ */
/* The merged listing                                                  */
/* ------------------------------------------------------------------ */

struct hap_patterns {
	enum hap_pattern_kind kind;
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
	char *note;  /* the last hap_patterns_resolve()'s note, or NULL */
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
	free(p->note);
	hap_arena_release(&p->arena);
	free(p);
}

/* The merge itself, from each instance's parsed listing (NULL: not read).
 * names and lists are borrowed; names must outlive *out. */
int hap_pat_merge(struct hap_patterns **out, enum hap_pattern_kind kind, const char *const *names,
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
	return !hap_snapshot_inst_status(s, i, NULL) &&
	       !(hap_instance_flags(s, i) & (HAP_INST_DUPLICATE | HAP_INST_EXCLUDED));
}

int hap_patterns_new(struct hap_patterns **out, const struct hap_snapshot *s,
                     enum hap_pattern_kind kind, struct hap_error *err)
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
		lists[i] = inst_live(s, i) ? hap_snapshot_patterns(s, i, kind == HAP_PATTERN_MAP)
		                           : NULL;
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
	(void)err;
	out->file = hap_patterns_file(p, f);
	out->note = "";
	out->holders = hap_patterns_holder_count(p, f);
	return 0;
}

int hap_patterns_resolve(struct hap_pattern_target *out, struct hap_patterns *p, const char *id,
                         struct hap_error *err)
{
	struct hap_buf what = HAP_BUF_INIT, where = HAP_BUF_INIT;
	const struct hap_pattern_ref *first = NULL;
	size_t f, r, nfile = 0, ninl = 0;
	int64_t num;
	int mixed = 0, ret = 0;

	memset(out, 0, sizeof(*out));
	out->file = out->note = "";
	free(p->note);
	p->note = NULL;
	if (hap_patterns_find(p, id, &f) == 0)
		return set_target(out, p, f, err);
	if (parse_number_id(id, &num))
		return hap_error_set(err, HAP_ENOTFOUND,
		                     "no instance loads the %s file '%s' (an id is a file as "
		                     "listed by '%s list', or #N)",
		                     hap_pat_kind_name(p->kind), id, hap_pat_kind_word(p->kind));
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
			                   name, hap_pat_kind_name(p->kind), row->desc);
		}
		if (ret) {
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (!nfile && !ninl)
		ret = hap_error_set(err, HAP_ENOTFOUND, "no %s #%lld on any instance",
		                    hap_pat_kind_name(p->kind), (long long)num);
	else if (mixed || (nfile && ninl))
		ret = hap_error_set(err, HAP_EINVAL,
		                    "#%lld means different things on different instances (%s); "
		                    "nothing sent: use the file name",
		                    (long long)num, what.ptr);
	else if (ninl)
		ret = hap_error_set(err, HAP_EINVAL,
		                    "#%lld is an inline %s without a file (%s): it cannot be "
		                    "addressed across instances; nothing sent",
		                    (long long)num, hap_pat_kind_name(p->kind), what.ptr);
	else if (hap_patterns_find(p, first->file, &f) == 0 &&
	         (ret = set_target(out, p, f, err)) == 0) {
		/* say what the number was resolved to: kept in p, borrowed by out */
		hap_buf_reset(&what);
		ret = hap_buf_addf(&what,
		                   "#%lld is %s on %s; using the file on every instance loading "
		                   "it (%zu)",
		                   (long long)num, first->file, where.ptr, out->holders);
		p->note = ret ? NULL : strdup(what.ptr);
		if (!p->note)
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		else
			out->note = p->note;
	}
out:
	hap_buf_release(&what);
	hap_buf_release(&where);
	return ret;
}

int hap_pattern_holds(const struct hap_snapshot *s, size_t i, enum hap_pattern_kind kind,
                      const char *file)
{
	const struct hap_pat_ref_list *l = hap_snapshot_patterns(s, i, kind == HAP_PATTERN_MAP);
	size_t k;

	if (!l || hap_snapshot_inst_status(s, i, NULL))
		return HAP_ENOTFOUND;
	for (k = 0; k < l->n; k++)
		if (l->refs[k].file.n && hap_view_eq(l->refs[k].file, file))
			return 1;
	return 0;
}
