/*
 * stat.c - index a "show stat" CSV reply: its columns and its rows.
 *
 * A 4-instance fleet answers 80,000 rows (20 MB) per snapshot, so a row is
 * not split here: only pxname, svname and type are read, and the scan of
 * a row stops after the furthest of those columns (normally 0, 1 and 32),
 * 8 bytes at a time. The rest of a row is read later, by column name, by
 * whoever needs it. One memchr() for the next quote in the whole reply
 * tells which rare rows hold a quoted field; only those are read field by
 * field to their end, so a broken quote anywhere is still reported with
 * its line number. (18 MB, 80,000 rows: ~2.6 ms, vs ~0.6 ms for a memchr()
 * of the line ends alone.)
 *
 * Columns are found by header name, never by position: fields after the
 * "-" column move between versions, and a fleet may mix versions. Unknown
 * columns are kept as names. Rows and columns are views into the reply.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "parse/parse.h"
#include "util/banned.h"

void hap_stat_release(struct hap_stat *st)
{
	if (!st)
		return;
	free(st->cols);
	st->cols = NULL;
	free(st->rows);
	st->rows = NULL;
	st->ncols = 0;
	st->nrows = 0;
	st->col_pxname = st->col_svname = st->col_type = -1;
}

int hap_stat_col(const struct hap_stat *st, const char *name)
{
	for (size_t i = 0; i < st->ncols; i++)
		if (hap_view_eq(st->cols[i], name))
			return (int)i;
	return -1;
}

/* The header's columns into st->cols, which holds *colcap views (it is
 * reused when large enough). */
static int parse_header(struct hap_stat *st, size_t *colcap, struct hap_view h, size_t lineno,
                        struct hap_error *err)
{
	/* into the array there is: split twice only when it is too small */
	int n = hap_csv_split(h.p, h.n, st->cols, st->cols ? *colcap : 0);

	if (n < 0)
		return hap_error_set(err, HAP_EPROTO,
		                     "show stat: line %zu: unterminated or misplaced quote",
		                     lineno);
	if (!st->cols || (size_t)n > *colcap) {
		struct hap_view *c = realloc(st->cols, (n ? (size_t)n : 1) * sizeof(*c));

		if (!c)
			return hap_error_set(err, HAP_ENOMEM, "show stat: out of memory");
		st->cols = c;
		*colcap = n ? (size_t)n : 1;
		n = hap_csv_split(h.p, h.n, st->cols, (size_t)n);
	}
	st->ncols = (size_t)n;
	/* "show servers state" (spaces made commas by the caller): its names
	 * under the names of "show stat" where they mean the same */
	int srvstate = hap_stat_col(st, "be_name") >= 0;

	for (size_t c = 0; srvstate && c < st->ncols; c++) {
		static const char *const alias[][2] = {
			{ "be_name", "pxname" },
			{ "srv_name", "svname" },
			{ "srv_uweight", "uweight" },
			{ "srv_iweight", "iweight" },
		};

		for (size_t k = 0; k < sizeof(alias) / sizeof(alias[0]); k++)
			if (hap_view_eq(st->cols[c], alias[k][0]))
				st->cols[c] = hap_view_make(alias[k][1], strlen(alias[k][1]));
	}
	st->col_pxname = hap_stat_col(st, "pxname");
	st->col_svname = hap_stat_col(st, "svname");
	st->col_type = hap_stat_col(st, "type");
	if (st->col_pxname < 0 || st->col_svname < 0)
		return hap_error_set(err, HAP_EPROTO,
		                     "show stat: header has no pxname or svname column");
	return 0;
}

static int add_row(struct hap_stat *st, size_t *cap, const struct hap_stat_row *row)
{
	if (st->nrows == *cap) {
		/* small first: 1,000 small instances hold their indexes at once */
		size_t ncap = *cap ? *cap * 2 : 16;
		struct hap_stat_row *r;

		if (ncap > SIZE_MAX / 2 / sizeof(*r))
			return HAP_ENOMEM;
		r = realloc(st->rows, ncap * sizeof(*r));
		if (!r)
			return HAP_ENOMEM;
		st->rows = r;
		*cap = ncap;
	}
	st->rows[st->nrows++] = *row;
	return 0;
}

static uint8_t type_of(struct hap_view type, int have_type, struct hap_view svname)
{
	if (have_type && type.n == 1 && type.p[0] >= '0' && type.p[0] <= '3')
		return (uint8_t)(type.p[0] - '0');
	/* no usable "type" column (very old versions): go by the names */
	if (hap_view_eq(svname, "FRONTEND"))
		return HAP_STAT_FRONTEND;
	if (hap_view_eq(svname, "BACKEND"))
		return HAP_STAT_BACKEND;
	return HAP_STAT_SERVER;
}

/*
 * Word-at-a-time comma search (SWAR): a row has ~33 short fields up to
 * "type", and testing 8 bytes per step instead of one is what keeps the
 * index close to the cost of finding line ends. Little-endian GCC/clang
 * only; elsewhere the byte loop does the same job.
 */
#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Position of the count-th ',' (count >= 1) in s[i, n), or n. */
static size_t nth_comma(const char *s, size_t i, size_t n, size_t count)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (n - i >= 8) {
		uint64_t w, x, m;
		size_t c;

		memcpy(&w, s + i, 8);
		x = w ^ (ONES * ',');
		/* 0x80 in exactly the bytes of w that are ',' */
		m = ~(((x & ~HIGHS) + ~HIGHS) | x) & HIGHS;
		c = (size_t)(((m >> 7) * ONES) >> 56);
		if (c < count) {
			count -= c;
			i += 8;
			continue;
		}
		while (--count)
			m &= m - 1;
		return i + (size_t)__builtin_ctzll(m) / 8;
	}
#endif
	for (; i < n; i++)
		if (s[i] == ',' && --count == 0)
			return i;
	return n;
}

/* Where a quote-free line has been read to: field number and its start. */
struct cursor {
	size_t field, pos;
};

/* Field j of a line without any '"'; 0 when the line has fewer fields. */
static int plain_field(struct hap_view line, struct cursor *c, size_t j, struct hap_view *out)
{
	size_t end;

	if (j < c->field) {
		c->field = 0;
		c->pos = 0;
	}
	if (j > c->field) {
		size_t k = nth_comma(line.p, c->pos, line.n, j - c->field);

		c->field = j;
		c->pos = k < line.n ? k + 1 : line.n;
	}
	/* past the last comma: HAProxy's trailing comma is not a field */
	if (c->pos >= line.n)
		return 0;
	end = nth_comma(line.p, c->pos, line.n, 1);
	*out = hap_view_make(line.p + c->pos, end - c->pos);
	c->field = j + 1;
	c->pos = end < line.n ? end + 1 : line.n;
	return 1;
}

/* Index one row; line has no '\n'. quote: next '"' in the reply (or end). */
static int parse_row(const struct hap_stat *st, struct hap_view line, const char *quote,
                     struct hap_stat_row *row)
{
	struct hap_view f, type = { NULL, 0 };
	int have_type = 0, ret = 0;

	memset(row, 0, sizeof(*row));
	if (quote >= line.p + line.n) {
		struct cursor c = { 0, 0 };

		if (!plain_field(line, &c, (size_t)st->col_pxname, &row->pxname) ||
		    !plain_field(line, &c, (size_t)st->col_svname, &row->svname))
			return HAP_ENOTFOUND;
		if (st->col_type >= 0)
			have_type = plain_field(line, &c, (size_t)st->col_type, &type);
	} else {
		/* a quoted field somewhere: read in order, then check the rest */
		size_t pos = 0, k;
		int got = 0;

		for (k = 0; (ret = hap_csv_next(line.p, line.n, &pos, &f)) == 1; k++) {
			if (k == (size_t)st->col_pxname) {
				row->pxname = f;
				got++;
			}
			if (k == (size_t)st->col_svname) {
				row->svname = f;
				got++;
			}
			if (st->col_type >= 0 && k == (size_t)st->col_type) {
				type = f;
				have_type = 1;
			}
		}
		if (ret < 0)
			return ret;
		if (got < 2)
			return HAP_ENOTFOUND;
	}
	row->line = line.p;
	row->len = (uint32_t)line.n;
	row->type = type_of(type, have_type, row->svname);
	row->quoted = quote < line.p + line.n;
	return 0;
}

void hap_stat_feed_init(struct hap_stat_feed *f)
{
	memset(f, 0, sizeof(*f));
	f->st.col_pxname = f->st.col_svname = f->st.col_type = -1;
}

void hap_stat_feed_release(struct hap_stat_feed *f)
{
	hap_stat_release(&f->st);
	f->cap = 0;
	f->colcap = 0;
}

/* The columns of hint h, the header line's bytes: 0 or HAP_ENOMEM. */
static int take_hint(struct hap_stat_feed *f, const struct hap_stat_hint *h)
{
	if (!f->st.cols || f->colcap < h->ncols) {
		struct hap_view *c = realloc(f->st.cols, (h->ncols ? h->ncols : 1) * sizeof(*c));

		if (!c)
			return HAP_ENOMEM;
		f->st.cols = c;
		f->colcap = h->ncols ? h->ncols : 1;
	}
	if (h->ncols)
		memcpy(f->st.cols, h->cols, h->ncols * sizeof(*h->cols));
	f->st.ncols = h->ncols;
	f->st.col_pxname = h->col_pxname;
	f->st.col_svname = h->col_svname;
	f->st.col_type = h->col_type;
	return 0;
}

/* The header line again, on text as it is now (it may have moved). */
static int feed_header(struct hap_stat_feed *f, const char *text, struct hap_error *err)
{
	size_t nrows = f->st.nrows;
	struct hap_stat_row *rows = f->st.rows;
	const struct hap_stat_hint *h = f->hint;
	int ret;

	/* the same bytes as a header read before: its columns, not split */
	if (h && h->raw.n == f->hdr_len && memcmp(h->raw.p, text + f->hdr_off, f->hdr_len) == 0) {
		if (take_hint(f, h))
			return hap_error_set(err, HAP_ENOMEM, "show stat: out of memory");
		return 0;
	}
	f->st.ncols = 0;
	ret = parse_header(&f->st, &f->colcap, hap_view_make(text + f->hdr_off + 2, f->hdr_len - 2),
	                   f->hdr_lineno, err);
	f->st.rows = rows;
	f->st.nrows = nrows;
	return ret;
}

/* Where the bytes to parse end: complete lines only, unless this is the
 * end of the reply (final). */
static const char *feed_end(struct hap_stat_feed *f, const char *text, size_t len, int final)
{
	const char *end = text + len, *seen;

	if (final)
		return end;
	/* the bytes before f->seen hold no '\n': each byte is looked at once,
	 * however long a line takes to arrive */
	seen = text + (f->seen > f->pos ? f->seen : f->pos);
	while (end > seen && end[-1] != '\n')
		end--;
	if (end == seen)
		end = text + f->pos;
	f->seen = len;
	return end;
}

/* Find the header line in [*pp, end) (blank lines before it skipped). */
static int feed_find_header(struct hap_stat_feed *f, const char *text, const char **pp,
                            const char *end, struct hap_error *err)
{
	while (!f->header && *pp < end) {
		const char *at = *pp;
		struct hap_view line = hap_view_next_line(pp, end);

		f->lineno++;
		if (!line.n)
			continue;
		if (!hap_view_startswith(line, "# "))
			return hap_error_set(err, HAP_EPROTO, "show stat: no header line");
		f->header = 1;
		f->hdr_off = (size_t)(at - text);
		f->hdr_len = line.n;
		f->hdr_lineno = f->lineno;
		return feed_header(f, text, err);
	}
	return 0;
}

/* Parse the rows of [*pp, end). */
static int feed_rows(struct hap_stat_feed *f, const char **pp, const char *end,
                     struct hap_error *err)
{
	const char *quote = *pp < end ? memchr(*pp, '"', (size_t)(end - *pp)) : NULL;
	int ret;

	if (!quote)
		quote = end;
	while (*pp < end) {
		struct hap_stat_row row;
		struct hap_view line = hap_view_next_line(pp, end);

		f->lineno++;
		/* proxy names cannot start with '#': a comment, not a row */
		if (!line.n || line.p[0] == '#')
			continue;
		if (line.n > UINT32_MAX)
			return hap_error_set(err, HAP_EPROTO, "show stat: line %zu: too long",
			                     f->lineno);
		if (quote < line.p) {
			quote = memchr(line.p, '"', (size_t)(end - line.p));
			if (!quote)
				quote = end;
		}
		ret = parse_row(&f->st, line, quote, &row);
		if (ret == HAP_ENOTFOUND)
			return hap_error_set(err, HAP_EPROTO,
			                     "show stat: line %zu: no pxname or svname field",
			                     f->lineno);
		if (ret)
			return hap_error_set(err, HAP_EPROTO,
			                     "show stat: line %zu: unterminated or misplaced quote",
			                     f->lineno);
		ret = add_row(&f->st, &f->cap, &row);
		if (ret)
			return hap_error_set(err, ret, "show stat: out of memory");
	}
	return 0;
}

int hap_stat_feed(struct hap_stat_feed *f, const char *text, size_t len, int final,
                  struct hap_error *err)
{
	const char *p = text + f->pos, *end;
	int ret;

	if (f->pos > len)
		return hap_error_set(err, HAP_EINVAL, "show stat: the reply got shorter");
	end = feed_end(f, text, len, final);
	/* the columns are views into text: read again only when it moved
	 * (with cols_final_only, on the final call only, and then always) */
	if (f->header && f->cols_final_only != 2 &&
	    (f->cols_final_only ? final : (uintptr_t)text != f->base)) {
		ret = feed_header(f, text, err);
		if (ret)
			goto fail;
	}
	f->base = (uintptr_t)text;
	ret = feed_find_header(f, text, &p, end, err);
	if (ret)
		goto fail;
	if (!f->header) {
		f->pos = (size_t)(p - text);
		if (final) {
			ret = hap_error_set(err, HAP_EPROTO, "show stat: no header line");
			goto fail;
		}
		return 0;
	}
	ret = feed_rows(f, &p, end, err);
	if (ret)
		goto fail;
	f->pos = (size_t)(p - text);
	return 0;
fail:
	hap_stat_feed_release(f);
	return ret;
}

int hap_stat_parse(struct hap_stat *out, const char *text, size_t len, struct hap_error *err)
{
	struct hap_stat_feed f;
	int ret;

	/* the whole reply at once: the same parser as bytes that arrive */
	hap_stat_feed_init(&f);
	ret = hap_stat_feed(&f, text, len, 1, err);
	*out = f.st;
	if (ret) {
		memset(out, 0, sizeof(*out));
		out->col_pxname = out->col_svname = out->col_type = -1;
	}
	return ret;
}
