/*
 * dump_rows.c - "dump -o csv" and "dump -o table": one row per object and
 * instance, after the object's aggregate row (instance "*"), streamed
 * object by object: object (its type), backend (servers), name, instance,
 * then every "show stat" field of the snapshot ("object", as "type" is one
 * of those fields). The JSON dump is cmd_dump.c's.
 *
 * A table is aligned without holding the rows: a first pass measures the
 * cells, the second prints them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "rows.h"
#include "width.h"

#define NLEAD 4 /* object, backend, name, instance */

struct dump {
	const struct hap_snapshot *s;
	size_t nf, ncols; /* stat fields; NLEAD + nf columns */
	int csv;
	size_t *w;           /* table: column widths */
	int *keep;           /* table: shown columns */
	size_t last;         /* table: last shown column */
	struct hap_value *v; /* one object's values, (1 + instances) * nf */
	size_t vcap;
	char num[32];
};

static const char *const type_word[] = { "frontend", "backend", "server" };

/* A cell as printed: control bytes as \xNN (never raw on a terminal). */
static size_t cell_len(const char *s, size_t n)
{
	size_t i, l = 0;

	for (i = 0; i < n; i++)
		l += ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? 4 : 1;
	return l;
}

static void cell_put(FILE *f, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		/* runs of plain bytes at once: a dump is millions of cells */
		while (j < n && (unsigned char)s[j] >= 0x20 && s[j] != 0x7f)
			j++;
		if (j > i)
			fwrite(s + i, 1, j - i, f);
		if (j < n)
			fprintf(f, "\\x%02x", (unsigned char)s[j++]);
		i = j;
	}
}

/* RFC 4180: quoted when it holds a comma, a quote or a line break. */
static void csv_put(FILE *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			break;
	if (i == n) {
		cell_put(f, s, n);
		return;
	}
	putc('"', f);
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			putc('"', f);
		cell_put(f, s + i, 1);
	}
	putc('"', f);
}

/* A number's digits, by hand: snprintf dominated the profile of a dump
 * (as in output.c's jw_num). Written at the end of buf. */
static const char *num_str(char *buf, size_t len, long long n)
{
	char *p = buf + len - 1;
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;

	*p = '\0';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (n < 0)
		*--p = '-';
	return p;
}

/* The text of column col of row k (0: the aggregate) of object o. */
static const char *cell_of(struct dump *d, const struct hap_object *o, size_t k, size_t col,
                           size_t *len)
{
	const char *s = "";

	switch (col) {
	case 0:
		s = type_word[hap_object_type(o)];
		break;
	case 1:
		s = hap_object_backend(o) ? hap_object_backend(o) : "";
		break;
	case 2:
		s = hap_object_name(o);
		break;
	case 3:
		s = k ? hap_instance_name(d->s, hap_object_instance(o, k - 1)) : "*";
		break;
	default: {
		const struct hap_value *v = &d->v[k * d->nf + (col - NLEAD)];

		if (v->kind == HAP_VALUE_TEXT) {
			*len = v->len;
			return v->text;
		}
		s = v->kind == HAP_VALUE_NUMBER ? num_str(d->num, sizeof(d->num), (long long)v->num)
		                                : value_str(v, d->num, sizeof(d->num));
	}
	}
	*len = strlen(s);
	return s;
}

static const char *head_of(const struct dump *d, size_t col)
{
	static const char *const lead[NLEAD] = { "object", "backend", "name", "instance" };

	return col < NLEAD ? lead[col] : hap_snapshot_field_name(d->s, col - NLEAD);
}

/* Load an object's values; 0, or -1 when memory ran out. */
static int load(struct dump *d, const struct hap_object *o)
{
	size_t need = (1 + hap_object_instance_count(o)) * d->nf;

	if (need > d->vcap) {
		struct hap_value *p = realloc(d->v, need * sizeof(*p));

		if (!p)
			return -1;
		d->v = p;
		d->vcap = need;
	}
	return hap_object_values_all(d->v, o) ? -1 : 0;
}

/* n blanks. */
static void pad(size_t n)
{
	static const char blanks[] =
	        "                                                                ";

	while (n > sizeof(blanks) - 1) {
		fwrite(blanks, 1, sizeof(blanks) - 1, stdout);
		n -= sizeof(blanks) - 1;
	}
	fwrite(blanks, 1, n, stdout);
}

/* A table cell padded to its column, cut with '~' when the column was
 * narrowed to fit the terminal. */
static void table_put(struct dump *d, size_t col, const char *s, size_t len)
{
	size_t l = cell_len(s, len), w = d->w[col];

	if (col == d->last || l <= w) {
		cell_put(stdout, s, len);
		if (col != d->last)
			pad(w - l + 2);
		return;
	}
	if (cell_len(s, len) == len) {
		fwrite(s, 1, w ? w - 1 : 0, stdout);
	} else {
		size_t i, used = 0;

		for (i = 0; i < len && used + cell_len(s + i, 1) < w; i++) {
			cell_put(stdout, s + i, 1);
			used += cell_len(s + i, 1);
		}
		printf("%*s", (int)(w - 1 - used), "");
	}
	fputs(w ? "~  " : "  ", stdout);
}

static void put_row(struct dump *d, const struct hap_object *o, size_t k)
{
	size_t col, len;

	for (col = 0; col < d->ncols; col++) {
		const char *s = o ? cell_of(d, o, k, col, &len) : head_of(d, col);

		if (!o)
			len = strlen(s);
		if (d->csv) {
			if (col)
				putc(',', stdout);
			csv_put(stdout, s, len);
		} else if (d->keep[col]) {
			table_put(d, col, s, len);
		}
	}
	putc('\n', stdout);
}

/* A row per instance that did not answer (as guard.c's rows): "-" but for
 * its name and why, measured (table) or printed. */
static void unreached_rows(struct dump *d, int print)
{
	size_t i, col;
	char why[512];

	for (i = 0; i < hap_snapshot_instance_count(d->s); i++) {
		const char *lead[NLEAD];
		const char *msg = hap_result_message(hap_snapshot_result(d->s), i);

		if (!hap_result_code(hap_snapshot_result(d->s), i))
			continue;
		snprintf(why, sizeof(why), "unreached: %s", msg);
		lead[0] = lead[1] = "-";
		lead[2] = why;
		lead[3] = hap_instance_name(d->s, i);
		for (col = 0; col < d->ncols; col++) {
			const char *c = col < NLEAD ? lead[col] : "-";
			size_t len = strlen(c);

			if (!print) {
				if (cell_len(c, len) > d->w[col])
					d->w[col] = cell_len(c, len);
			} else if (d->csv) {
				if (col)
					putc(',', stdout);
				csv_put(stdout, c, len);
			} else if (d->keep[col]) {
				table_put(d, col, c, len);
			}
		}
		if (print)
			putc('\n', stdout);
	}
}

/* Every object of every type, measured (table) or printed, then the
 * instances that did not answer. */
static int each_row(struct dump *d, int print)
{
	int t;

	for (t = 0; t < 3; t++) {
		size_t i, k, n = hap_snapshot_count(d->s, (enum hap_obj)t);

		for (i = 0; i < n; i++) {
			const struct hap_object *o = hap_snapshot_object(d->s, (enum hap_obj)t, i);

			if (load(d, o))
				return -1;
			for (k = 0; k <= hap_object_instance_count(o); k++) {
				size_t col, len;

				if (print) {
					put_row(d, o, k);
					continue;
				}
				for (col = 0; col < d->ncols; col++) {
					const char *s = cell_of(d, o, k, col, &len);

					if (cell_len(s, len) > d->w[col])
						d->w[col] = cell_len(s, len);
				}
			}
		}
	}
	unreached_rows(d, print);
	return 0;
}

/* Table widths: every cell measured, then fitted to the terminal. */
static size_t measure(struct dump *d)
{
	size_t *minw = calloc(d->ncols, sizeof(*minw)), col, dropped;

	if (!minw)
		return 0;
	for (col = 0; col < d->ncols; col++) {
		d->w[col] = strlen(head_of(d, col));
		minw[col] = d->w[col] > 6 ? d->w[col] : 6;
	}
	each_row(d, 0);
	for (col = 0; col < d->ncols; col++)
		if (minw[col] > d->w[col])
			minw[col] = d->w[col];
	dropped = fit_columns(d->w, minw, d->keep, d->ncols, term_width(stdout));
	for (col = 0; col < d->ncols; col++)
		if (d->keep[col])
			d->last = col;
	free(minw);
	return dropped;
}

int dump_rows(struct cli *c, const struct hap_snapshot *s)
{
	struct dump d;
	size_t dropped = 0;
	int ret;

	memset(&d, 0, sizeof(d));
	d.s = s;
	d.nf = hap_snapshot_field_count(s);
	d.ncols = NLEAD + d.nf;
	d.csv = c->fmt == FMT_CSV;
	d.w = calloc(d.ncols, sizeof(*d.w));
	d.keep = calloc(d.ncols, sizeof(*d.keep));
	if (!d.w || !d.keep) {
		free(d.w);
		free(d.keep);
		cli_err(c, "out of memory");
		return EXIT_FAILED;
	}
	if (!d.csv)
		dropped = measure(&d);
	put_row(&d, NULL, 0);
	ret = each_row(&d, 1);
	fflush(stdout);
	if (dropped)
		fprintf(stderr, "haproxyadmin: %zu column%s hidden; --wide shows all\n", dropped,
		        dropped == 1 ? "" : "s");
	free(d.v);
	free(d.w);
	free(d.keep);
	if (ret) {
		cli_err(c, "out of memory");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}
