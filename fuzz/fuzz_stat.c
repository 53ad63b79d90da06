/*
 * fuzz_stat.c - "show stat" CSV: hap_stat_parse() and the field splitter
 * (hap_csv_split, hap_csv_next, hap_csv_text) the snapshot uses on every
 * row when a value is asked for.
 *
 * Checked: columns and rows lie inside the input, every row has pxname and
 * svname inside its own line and a known type, hap_stat_col() finds each
 * column name, splitting a row twice gives the same fields (the count may
 * exceed the storage given, never the reverse), hap_csv_next() walks the
 * same fields, and decoding a field never makes it longer. Fed as it
 * arrives (hap_stat_feed) in cuts taken from the input, the parse gives the
 * same columns, rows and error as the whole.
 */
#include "haproxyadmin.h"
#include "parse/parse.h"
#include "util/buf.h"
#include "fuzz.h"

#define MAXF 256

static void split_row(const char *line, size_t len)
{
	struct hap_view f[MAXF], g[4], v;
	struct hap_buf b = HAP_BUF_INIT;
	size_t pos = 0, k, n, clen = len;
	int nf, n4, ret;

	nf = hap_csv_split(line, len, f, MAXF);
	n4 = hap_csv_split(line, len, g, 4);
	FUZZ_CHECK(nf == n4);
	FUZZ_CHECK(hap_csv_split(line, len, NULL, 0) == nf);
	if (nf < 0)
		return;
	n = (size_t)nf < MAXF ? (size_t)nf : MAXF;
	for (k = 0; k < n; k++) {
		FUZZ_CHECK(fuzz_inside(f[k], line, len));
		if (k < 4)
			FUZZ_CHECK(f[k].p == g[k].p && f[k].n == g[k].n);
		ret = hap_csv_text(f[k], &b);
		FUZZ_CHECK(ret == 0);
		FUZZ_CHECK(b.len <= f[k].n);
		FUZZ_CHECK(b.ptr[b.len] == '\0');
	}
	/* hap_csv_next() on the line without its final '\r's walks the same fields */
	while (clen && line[clen - 1] == '\r')
		clen--;
	for (k = 0; (ret = hap_csv_next(line, clen, &pos, &v)) == 1; k++) {
		FUZZ_CHECK(pos <= clen);
		if (k < n)
			FUZZ_CHECK(v.p == f[k].p && v.n == f[k].n);
	}
	FUZZ_CHECK(ret == 0 && k == (size_t)nf);
	hap_buf_release(&b);
}

/*
 * The snapshot names an object from the row index (pxname, svname) and reads
 * its values with hap_csv_split(): both must see the same fields.
 */
static void row_fields(const struct hap_stat *st, const struct hap_stat_row *r)
{
	struct hap_view f[MAXF];
	int nf = hap_csv_split(r->line, r->len, f, MAXF);

	FUZZ_CHECK(nf > st->col_pxname && nf > st->col_svname);
	/* a row ends where the splitter ends it: no '\r' left at its end */
	FUZZ_CHECK(r->len == 0 || r->line[r->len - 1] != '\r');
	if (st->col_pxname < MAXF)
		FUZZ_CHECK(hap_view_eqv(f[st->col_pxname], r->pxname) &&
		           f[st->col_pxname].p == r->pxname.p);
	if (st->col_svname < MAXF)
		FUZZ_CHECK(hap_view_eqv(f[st->col_svname], r->svname) &&
		           f[st->col_svname].p == r->svname.p);
}

/* The same reply fed in pieces (sizes from its own bytes), each piece
 * into a fresh copy so that it moves, the arrays swapped for others
 * between some calls (the columns read again, or on the final call only):
 * the result of the whole parse. */
static void fed(const char *text, size_t size, int whole_ret, const struct hap_stat *whole,
                const struct hap_error *werr)
{
	struct hap_error err = { 0, "" };
	struct hap_stat_feed f;
	size_t len = 0, nrows = 0, step = size ? (unsigned char)text[0] % 97 + 1 : 1;
	char *copy = NULL;
	int ret = 0, final = 0;
	struct hap_view *spare_cols = NULL;
	struct hap_stat_row *spare_rows = NULL;
	size_t spare_colcap = 0, spare_rowcap = 0;

	hap_stat_feed_init(&f);
	/* half the inputs: the columns read on the final call only */
	f.cols_final_only = size > 1 && (text[1] & 1);
	while (!ret && !final) {
		char *n;

		len = size - len > step ? len + step : size;
		final = len == size;
		n = malloc(len ? len : 1);
		FUZZ_CHECK(n != NULL);
		memcpy(n, text, len);
		free(copy);
		copy = n;
		ret = hap_stat_feed(&f, copy, len, final, &err);
		if (ret)
			break;
		for (size_t r = 0; !whole_ret && r < f.st.nrows; r++, nrows++) {
			FUZZ_CHECK(nrows < whole->nrows);
			FUZZ_CHECK(f.st.rows[r].line - copy == whole->rows[nrows].line - text);
			FUZZ_CHECK(f.st.rows[r].len == whole->rows[nrows].len);
			FUZZ_CHECK(f.st.rows[r].type == whole->rows[nrows].type);
		}
		f.st.nrows = 0;
		if (!final && (step & 1)) {
			/* other arrays between calls, as a snapshot lends them */
			struct hap_view *c = f.st.cols;
			struct hap_stat_row *rw = f.st.rows;
			size_t cc = f.colcap, rc = f.cap;

			f.st.cols = spare_cols;
			f.colcap = spare_colcap;
			f.st.rows = spare_rows;
			f.cap = spare_rowcap;
			if (!f.cols_final_only)
				f.base = 0;
			spare_cols = c;
			spare_colcap = cc;
			spare_rows = rw;
			spare_rowcap = rc;
		}
		step = step * 3 + 1;
	}
	FUZZ_CHECK(ret == whole_ret);
	if (ret) {
		FUZZ_CHECK(strcmp(err.msg, werr->msg) == 0);
	} else {
		FUZZ_CHECK(nrows == whole->nrows);
		FUZZ_CHECK(f.st.ncols == whole->ncols);
		for (size_t c = 0; c < f.st.ncols; c++)
			FUZZ_CHECK(hap_view_eqv(f.st.cols[c], whole->cols[c]));
	}
	hap_stat_feed_release(&f);
	free(spare_cols);
	free(spare_rows);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct hap_error err = { 0, "" };
	struct hap_stat st;
	size_t i;
	int ret;

	ret = hap_stat_parse(&st, text, size, &err);
	fed(text, size, ret, &st, &err);
	if (ret) {
		FUZZ_CHECK(ret < 0);
		FUZZ_CHECK(fuzz_msg_ok(err.msg, sizeof(err.msg)));
		FUZZ_CHECK(st.rows == NULL && st.cols == NULL);
	} else {
		FUZZ_CHECK(st.ncols > 0);
		FUZZ_CHECK(st.col_pxname >= 0 && st.col_svname >= 0);
		for (i = 0; i < st.ncols; i++) {
			char name[128];
			int c;

			/* a view into the reply, or the name a "show servers state"
			 * column is aliased to (be_name -> pxname, ...): a literal */
			FUZZ_CHECK(fuzz_inside(st.cols[i], text, size) ||
			           hap_view_eq(st.cols[i], "pxname") ||
			           hap_view_eq(st.cols[i], "svname") ||
			           hap_view_eq(st.cols[i], "uweight") ||
			           hap_view_eq(st.cols[i], "iweight"));
			if (st.cols[i].n >= sizeof(name) ||
			    memchr(st.cols[i].p, '\0', st.cols[i].n))
				continue;
			memcpy(name, st.cols[i].p, st.cols[i].n);
			name[st.cols[i].n] = '\0';
			c = hap_stat_col(&st, name);
			FUZZ_CHECK(c >= 0 && (size_t)c <= i);
			FUZZ_CHECK(hap_view_eqv(st.cols[c], st.cols[i]));
		}
		for (i = 0; i < st.nrows; i++) {
			const struct hap_stat_row *r = &st.rows[i];
			struct hap_view line = hap_view_make(r->line, r->len);

			FUZZ_CHECK(fuzz_inside(line, text, size));
			FUZZ_CHECK(r->len > 0 && memchr(r->line, '\n', r->len) == NULL);
			FUZZ_CHECK(fuzz_inside(r->pxname, r->line, r->len));
			FUZZ_CHECK(fuzz_inside(r->svname, r->line, r->len));
			FUZZ_CHECK(r->type <= HAP_STAT_LISTENER);
			FUZZ_CHECK(r->quoted == (memchr(r->line, '"', r->len) != NULL));
			row_fields(&st, r);
			split_row(r->line, r->len);
		}
		hap_stat_release(&st);
	}
	/* the splitter on its own, on the first line of anything */
	{
		const char *nl = memchr(text, '\n', size);

		split_row(text, nl ? (size_t)(nl - text) : size);
	}
	return 0;
}
