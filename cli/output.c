/*
 * output.c - the three output formats: aligned tables for people, CSV and
 * JSON as stable contracts for scripts (JSON numbers are numbers).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "width.h"

struct table {
	size_t ncols, nrows, cap;
	char **cells; /* nrows * ncols, row 0 is the header */
};

/* A copy safe for a terminal and one line: control bytes (a hostile peer's
 * escape sequences, HAProxy's multi-line texts) become \xNN. */
static char *printable(const char *s)
{
	size_t n = 0, i;
	char *d, *p;

	s = s ? s : "";
	for (i = 0; s[i]; i++)
		n += ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? 4 : 1;
	d = malloc(n + 1);
	if (!d) {
		fputs("haproxyadmin: out of memory\n", stderr);
		exit(EXIT_FAILED);
	}
	for (p = d; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f) {
			static const char hex[] = "0123456789abcdef";

			*p++ = '\\';
			*p++ = 'x';
			*p++ = hex[ch >> 4];
			*p++ = hex[ch & 15];
		} else {
			*p++ = (char)ch;
		}
	}
	*p = '\0';
	return d;
}

struct table *table_new(size_t ncols, const char *const *header)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t) {
		fputs("haproxyadmin: out of memory\n", stderr);
		exit(EXIT_FAILED);
	}
	t->ncols = ncols;
	table_add(t, header);
	return t;
}

void table_add(struct table *t, const char *const *cells)
{
	size_t i;

	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		char **p = realloc(t->cells, ncap * t->ncols * sizeof(*p));

		if (!p) {
			fputs("haproxyadmin: out of memory\n", stderr);
			exit(EXIT_FAILED);
		}
		t->cells = p;
		t->cap = ncap;
	}
	for (i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = printable(cells[i]);
	t->nrows++;
}

static void csv_cell(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A cell cut to width: its last shown character is '~'. */
static void put_cell(FILE *f, const char *s, size_t w, int pad)
{
	size_t l = strlen(s);

	if (l > w) {
		fwrite(s, 1, w ? w - 1 : 0, f);
		if (w)
			fputc('~', f);
	} else {
		fputs(s, f);
		if (pad)
			fprintf(f, "%*s", (int)(w - l), "");
	}
}

/* A cell of width w wrapped onto lines that start at column indent,
 * breaking at a blank when there is one in the second half of the line. */
static void wrap_cell(FILE *f, const char *s, size_t w, size_t indent)
{
	int first = 1;

	while (*s) {
		size_t n = strlen(s), k;

		if (!first)
			fprintf(f, "\n%*s", (int)indent, "");
		first = 0;
		if (n > w) {
			for (k = w; k > w / 2 && s[k] != ' '; k--)
				;
			n = k > w / 2 ? k : w;
		}
		fwrite(s, 1, n, f);
		s += n;
		while (*s == ' ')
			s++;
	}
}

void table_print(struct table *t, FILE *f, int csv)
{
	size_t *w = calloc(t->ncols, sizeof(*w));
	size_t *minw = calloc(t->ncols, sizeof(*minw));
	int *keep = calloc(t->ncols, sizeof(*keep));
	size_t r, c, last = 0, dropped = 0, indent = 0;

	if (!w || !minw || !keep) {
		fputs("haproxyadmin: out of memory\n", stderr);
		exit(EXIT_FAILED);
	}
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			size_t l = strlen(t->cells[r * t->ncols + c]);

			if (l > w[c])
				w[c] = l;
		}
	for (c = 0; c < t->ncols; c++) {
		size_t h = strlen(t->cells[c]);

		minw[c] = h > 6 ? h : 6;
		if (minw[c] > w[c])
			minw[c] = w[c];
	}
	/* width.c: fit a terminal, in a stated order; pipes keep full rows */
	dropped = fit_columns(w, minw, keep, t->ncols, csv ? 0 : term_width(f));
	for (c = 0; c < t->ncols; c++)
		if (keep[c])
			last = c;
	for (c = 0; c < last; c++)
		if (keep[c])
			indent += w[c] + 2;
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];

			if (csv) {
				if (c)
					fputc(',', f);
				csv_cell(f, s);
			} else if (!keep[c]) {
				continue;
			} else if (c == last && c + 1 == t->ncols && strlen(s) > w[c]) {
				/* the table's last column (a message, a note) is free
				 * text: wrapped under itself, never cut */
				wrap_cell(f, s, w[c], indent);
			} else {
				put_cell(f, s, w[c], c != last);
				if (c != last)
					fputs("  ", f);
			}
		}
		fputc('\n', f);
	}
	if (dropped) {
		fflush(f);
		fprintf(stderr, "haproxyadmin: %zu column%s hidden; --wide shows all\n", dropped,
		        dropped == 1 ? "" : "s");
	}
	for (r = 0; r < t->nrows * t->ncols; r++)
		free(t->cells[r]);
	free(t->cells);
	free(t);
	free(w);
	free(minw);
	free(keep);
}

const char *value_str(const struct hap_value *v, char *buf, size_t len)
{
	switch (v->kind) {
	case HAP_VALUE_NUMBER:
		snprintf(buf, len, "%lld", (long long)v->num);
		break;
	case HAP_VALUE_TEXT:
		snprintf(buf, len, "%.*s", (int)v->len, v->text);
		break;
	case HAP_VALUE_DISAGREE:
		snprintf(buf, len, "*");
		break;
	case HAP_VALUE_ABSENT:
		snprintf(buf, len, "-");
		break;
	}
	return buf;
}

/* ---- JSON ---- */

/*
 * The writer keeps its own buffer: a dump is tens of megabytes of small
 * pieces, and stdio's per-call locking cost more than the JSON itself.
 * Every jw_init() is paired with a jw_done(), which flushes. 64 KiB: a
 * pipe's size; more only holds more memory (a 20 MB dump is ~300 writes).
 */
#define JW_BUF (64 * 1024)

static void flush(struct jw *w)
{
	if (w->len && w->f) {
		fwrite(w->buf, 1, w->len, w->f);
		w->len = 0;
	}
}

/* Without a file (jw_init(w, NULL)) the writer keeps everything: its
 * buffer grows to hold n more bytes. */
static void grow(struct jw *w, size_t n)
{
	size_t cap = w->cap;
	char *b;

	while (n > cap - w->len)
		cap *= 2;
	b = realloc(w->buf, cap);
	if (!b) {
		fputs("haproxyadmin: out of memory\n", stderr);
		exit(EXIT_FAILED);
	}
	w->buf = b;
	w->cap = cap;
}

static inline void put(struct jw *w, const char *p, size_t n)
{
	if (n > w->cap - w->len) {
		flush(w);
		if (n > w->cap - w->len) {
			if (w->f) {
				fwrite(p, 1, n, w->f);
				return;
			}
			grow(w, n);
		}
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static inline void put1(struct jw *w, char c)
{
	if (w->len == w->cap) {
		flush(w);
		if (w->len == w->cap)
			grow(w, 1);
	}
	w->buf[w->len++] = c;
}

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->first[0] = 1;
	w->cap = JW_BUF;
	w->buf = malloc(JW_BUF);
	if (!w->buf) {
		fputs("haproxyadmin: out of memory\n", stderr);
		exit(EXIT_FAILED);
	}
}

static void sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->first[w->depth])
		put1(w, ',');
	w->first[w->depth] = 0;
}

static void open_(struct jw *w, char c)
{
	sep(w);
	put1(w, c);
	if (w->depth < 63)
		w->depth++;
	w->first[w->depth] = 1;
}

void jw_obj(struct jw *w)
{
	open_(w, '{');
}

void jw_arr(struct jw *w)
{
	open_(w, '[');
}

void jw_end_obj(struct jw *w)
{
	put1(w, '}');
	w->depth--;
}

void jw_end_arr(struct jw *w)
{
	put1(w, ']');
	w->depth--;
}

static int plain(unsigned char ch)
{
	return ch >= 0x20 && ch != '"' && ch != '\\' && ch != 0x7f;
}

/* The escape of ch (not plain) into p: its length. */
static size_t esc1(char *p, unsigned char ch)
{
	static const char hex[] = "0123456789abcdef";

	p[0] = '\\';
	switch (ch) {
	case '"':
	case '\\':
		p[1] = (char)ch;
		return 2;
	case '\n':
		p[1] = 'n';
		return 2;
	case '\r':
		p[1] = 'r';
		return 2;
	case '\t':
		p[1] = 't';
		return 2;
	}
	memcpy(p + 1, "u00", 3);
	p[4] = hex[ch >> 4];
	p[5] = hex[ch & 15];
	return 6;
}

#define W_ONES  0x0101010101010101ULL
#define W_HIGHS 0x8080808080808080ULL

/* Some byte of w is not plain: below 0x20, '"', '\\' or 0x7f (exact as a
 * whole: a word without one is never flagged). */
static inline int word_special(uint64_t w)
{
	uint64_t q = w ^ (W_ONES * '"'), b = w ^ (W_ONES * '\\'), d = w ^ (W_ONES * 0x7f);

	return (((w - W_ONES * 0x20) | (q - W_ONES) | (b - W_ONES) | (d - W_ONES)) & ~w &
	        W_HIGHS) != 0;
}

/* A string longer than the buffer, a byte at a time. */
static void esc_long(struct jw *w, const char *s, size_t n)
{
	char u[8];
	size_t i;

	put1(w, '"');
	for (i = 0; i < n; i++) {
		if (plain((unsigned char)s[i]))
			put1(w, s[i]);
		else
			put(w, u, esc1(u, (unsigned char)s[i]));
	}
	put1(w, '"');
}

/* A string with its quotes; most values need no escape: 8 bytes at a time
 * are checked and copied whole, into room made once. */
static void esc(struct jw *w, const char *s, size_t n)
{
	size_t i = 0, room = 2 + 6 * n + 8;
	char *p;

	if (room > w->cap - w->len) {
		flush(w);
		if (room > w->cap - w->len) {
			if (!w->f)
				grow(w, room);
			else {
				esc_long(w, s, n);
				return;
			}
		}
	}
	p = w->buf + w->len;
	*p++ = '"';
	while (i < n) {
		uint64_t x;

		if (n - i >= 8) {
			memcpy(&x, s + i, 8);
			if (!word_special(x)) {
				memcpy(p, &x, 8);
				p += 8;
				i += 8;
				continue;
			}
		}
		if (plain((unsigned char)s[i]))
			*p++ = s[i];
		else
			p += esc1(p, (unsigned char)s[i]);
		i++;
	}
	*p++ = '"';
	w->len = (size_t)(p - w->buf);
}

char *jw_make_key(const char *k)
{
	struct jw w;
	char *key;

	jw_init(&w, NULL);
	esc(&w, k, strlen(k));
	put1(&w, ':');
	key = malloc(w.len + 1);
	if (!key) {
		fputs("haproxyadmin: out of memory\n", stderr);
		exit(EXIT_FAILED);
	}
	memcpy(key, w.buf, w.len);
	key[w.len] = '\0';
	free(w.buf);
	return key;
}

char *jw_make_str(const char *v)
{
	struct jw w;
	char *str;

	jw_init(&w, NULL);
	esc(&w, v, strlen(v));
	str = malloc(w.len + 1);
	if (!str) {
		fputs("haproxyadmin: out of memory\n", stderr);
		exit(EXIT_FAILED);
	}
	memcpy(str, w.buf, w.len);
	str[w.len] = '\0';
	free(w.buf);
	return str;
}

void jw_rawstr(struct jw *w, const char *prestr)
{
	sep(w);
	put(w, prestr, strlen(prestr));
}

void jw_raw(struct jw *w, const char *p, size_t n)
{
	put(w, p, n);
}

void jw_rawkeyn(struct jw *w, const char *prekey, size_t len)
{
	sep(w);
	put(w, prekey, len);
	w->after_key = 1;
}

void jw_rawkey(struct jw *w, const char *prekey)
{
	sep(w);
	put(w, prekey, strlen(prekey));
	w->after_key = 1;
}

void jw_key(struct jw *w, const char *k)
{
	sep(w);
	esc(w, k, strlen(k));
	put1(w, ':');
	w->after_key = 1;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	sep(w);
	esc(w, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	jw_strn(w, s, strlen(s));
}

void jw_num(struct jw *w, long long n)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;

	sep(w);
	/* by hand: fprintf("%lld") dominated the profile of big dumps */
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (n < 0)
		*--p = '-';
	put(w, p, (size_t)(buf + sizeof(buf) - p));
}

/* jw_keynum(); padded: prekey is readable up to klen rounded up to 16 */
static inline void keynum(struct jw *w, const char *prekey, size_t klen, long long n, int padded)
{
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n, t;
	size_t nd = 1;
	char *p, *q;

	/* room for a comma, the key (rounded up to 16) and 20 digits and a sign */
	if (klen + 16 + 1 + 24 > w->cap - w->len) {
		flush(w);
		if (klen + 16 + 1 + 24 > w->cap - w->len) {
			jw_rawkeyn(w, prekey, klen);
			jw_num(w, n);
			return;
		}
	}
	/* a member: one bounds check for the comma, the key and the digits */
	p = w->buf + w->len;
	if (w->after_key)
		w->after_key = 0;
	else if (!w->first[w->depth])
		*p++ = ',';
	w->first[w->depth] = 0;
	if (padded) {
		/* short keys: whole 16-byte words, no call */
		for (size_t i = 0; i < klen; i += 16)
			memcpy(p + i, prekey + i, 16);
	} else {
		memcpy(p, prekey, klen);
	}
	p += klen;
	if (n < 0)
		*p++ = '-';
	if (u < 10) {
		*p++ = (char)('0' + u); /* most counters of a quiet fleet */
	} else {
		/* the digits in place, from the last one */
		for (t = u; t >= 10; t /= 10)
			nd++;
		q = p += nd;
		do {
			*--q = (char)('0' + u % 10);
			u /= 10;
		} while (u);
	}
	w->len = (size_t)(p - w->buf);
}

void jw_keynum(struct jw *w, const char *prekey, size_t klen, long long n)
{
	keynum(w, prekey, klen, n, 0);
}

void jw_keynum_padded(struct jw *w, const char *prekey, size_t klen, long long n)
{
	keynum(w, prekey, klen, n, 1);
}

void jw_null(struct jw *w)
{
	sep(w);
	put(w, "null", 4);
}

void jw_bool(struct jw *w, int b)
{
	sep(w);
	if (b)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw_value(struct jw *w, const struct hap_value *v)
{
	switch (v->kind) {
	case HAP_VALUE_NUMBER:
		jw_num(w, (long long)v->num);
		break;
	case HAP_VALUE_TEXT:
		jw_strn(w, v->text, v->len);
		break;
	default:
		jw_null(w);
	}
}

void jw_done(struct jw *w)
{
	put1(w, '\n');
	flush(w);
	free(w->buf);
	w->buf = NULL;
}
