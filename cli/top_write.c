/*
 * top_write.c - the writer side of the live view's reader (the child
 * process): one snapshot through the library, written to the pipe in the
 * wire format top_read.c describes and parses.
 *
 * Must never: print, or touch the terminal (it runs in the child).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "top.h"

/* ---------------------------------------------------------------- writer */

struct wbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void wgrow(struct wbuf *w, size_t n)
{
	char *np;
	size_t cap;

	if (w->oom || w->len + n <= w->cap)
		return;
	cap = w->cap ? w->cap * 2 : 1 << 16;
	while (cap < w->len + n)
		cap *= 2;
	np = realloc(w->p, cap);
	if (!np) {
		w->oom = 1;
		return;
	}
	w->p = np;
	w->cap = cap;
}

static void wbytes(struct wbuf *w, const void *b, size_t n)
{
	wgrow(w, n);
	if (w->oom)
		return;
	memcpy(w->p + w->len, b, n);
	w->len += n;
}

static void wuv(struct wbuf *w, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;

	do {
		b[n] = v & 0x7f;
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	wbytes(w, b, n);
}

static void wsv(struct wbuf *w, int64_t v)
{
	wuv(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void wstrn(struct wbuf *w, const char *s, size_t n)
{
	wuv(w, n);
	wbytes(w, s, n);
	wbytes(w, "", 1);
}

static void wstr(struct wbuf *w, const char *s)
{
	wstrn(w, s ? s : "", s ? strlen(s) : 0);
}

static void wval(struct wbuf *w, const struct hap_value *v)
{
	unsigned char t;

	switch (v->kind) {
	case HAP_VALUE_NUMBER:
		t = 1;
		wbytes(w, &t, 1);
		wsv(w, v->num);
		break;
	case HAP_VALUE_TEXT:
		t = 2;
		wbytes(w, &t, 1);
		wstrn(w, v->text, v->len);
		break;
	default:
		t = 0;
		wbytes(w, &t, 1);
		break;
	}
}

static void winfo(struct wbuf *w, const struct hap_snapshot *s, size_t i, const char *key)
{
	struct hap_value v;

	if (hap_snapshot_info(&v, s, i, key))
		v.kind = HAP_VALUE_ABSENT;
	wval(w, &v);
}

static void winfo_str(struct wbuf *w, const struct hap_snapshot *s, size_t i, const char *key)
{
	struct hap_value v;

	if (hap_snapshot_info(&v, s, i, key) || v.kind != HAP_VALUE_TEXT)
		wstr(w, "");
	else
		wstrn(w, v.text, v.len);
}

static int want_backend(const char *b, const char *const *backends, size_t nb)
{
	size_t i;

	if (!nb)
		return 1;
	for (i = 0; i < nb; i++)
		if (b && strcmp(b, backends[i]) == 0)
			return 1;
	return 0;
}

static int same_value(const struct hap_value *a, const struct hap_value *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == HAP_VALUE_NUMBER)
		return a->num == b->num;
	if (a->kind == HAP_VALUE_TEXT)
		return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
	return 1;
}

static void wobject(struct wbuf *w, const struct hap_object *o, const size_t *fields,
                    const int *map, size_t nsel, struct hap_value *vals)
{
	static const struct hap_value absent = { HAP_VALUE_ABSENT, 0, NULL, 0 };
	size_t n = hap_object_instance_count(o), k;
	unsigned char t = (unsigned char)hap_object_type(o);
	const char *b = hap_object_backend(o);
	int f;

	wbytes(w, &t, 1);
	wstr(w, hap_object_name(o));
	wstr(w, b ? b : "");
	if (nsel && hap_object_values_select(vals, o, fields, nsel))
		n = 0;
	wuv(w, n);
	for (k = 0; k < n; k++)
		wuv(w, hap_object_instance(o, k));
	if (!n)
		return;
	/* field by field; one value when every instance holds the same */
	for (f = 0; f < TF_COUNT; f++) {
		const struct hap_value *v0;

		if (map[f] == -2)
			continue; /* not asked for */
		v0 = map[f] < 0 ? &absent : &vals[nsel + (size_t)map[f]];
		for (k = 1; k < n && map[f] >= 0; k++)
			if (!same_value(v0, &vals[(1 + k) * nsel + (size_t)map[f]]))
				break;
		if (k == n || map[f] < 0) {
			t = 4;
			wbytes(w, &t, 1);
			wval(w, v0);
			continue;
		}
		for (k = 0; k < n; k++)
			wval(w, &vals[(1 + k) * nsel + (size_t)map[f]]);
	}
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* The instances: name, status, flags and the info the header shows. */
static void winstances(struct wbuf *w, const struct hap_snapshot *s, size_t ninst)
{
	size_t i;

	for (i = 0; i < ninst; i++) {
		const char *msg = hap_result_message(hap_snapshot_result(s), i);
		int st = hap_result_code(hap_snapshot_result(s), i);

		wstr(w, hap_instance_name(s, i));
		wsv(w, st);
		wstr(w, st ? msg : "");
		wuv(w, hap_instance_flags(s, i));
		winfo_str(w, s, i, "node");
		winfo_str(w, s, i, "Version");
		winfo(w, s, i, "Pid");
		winfo(w, s, i, "Uptime_sec");
		winfo(w, s, i, "ConnRate");
		winfo(w, s, i, "Idle_pct");
		winfo(w, s, i, "CurrConns");
	}
}

/* The most instances one object stands on (at least 1). */
static size_t max_instances(const struct hap_snapshot *s)
{
	size_t maxn = 1, t, i, cnt;

	for (t = 0; t < 3; t++) {
		cnt = hap_snapshot_count(s, (enum hap_obj)t);
		for (i = 0; i < cnt; i++) {
			size_t n = hap_object_instance_count(
			        hap_snapshot_object(s, (enum hap_obj)t, i));

			if (n > maxn)
				maxn = n;
		}
	}
	return maxn;
}

/* The rows (objects of the backends asked for), after their count. */
static void wrows(struct wbuf *w, const struct hap_snapshot *s, const char *const *backends,
                  size_t nb, const size_t *fields, const int *map, size_t nsel,
                  struct hap_value *vals)
{
	size_t count_pos, nrows = 0, t, i, cnt;

	/* the row count is not known before filtering: a fixed-width slot */
	count_pos = w->len;
	wbytes(w, "\0\0\0\0\0", 5);
	for (t = 0; t < 3; t++) {
		cnt = hap_snapshot_count(s, (enum hap_obj)t);
		for (i = 0; i < cnt; i++) {
			const struct hap_object *o = hap_snapshot_object(s, (enum hap_obj)t, i);
			const char *b = t == HAP_OBJ_SERVER    ? hap_object_backend(o)
			                : t == HAP_OBJ_BACKEND ? hap_object_name(o)
			                                       : NULL;

			if (nb && !want_backend(b, backends, nb))
				continue;
			wobject(w, o, fields, map, nsel, vals);
			nrows++;
		}
	}
	if (!w->oom) {
		/* 5-byte LEB128, padded with continuation bits */
		for (i = 0; i < 5; i++)
			w->p[count_pos + i] =
			        (char)(((nrows >> (7 * i)) & 0x7f) | (i < 4 ? 0x80 : 0));
	}
}

int top_read_child(struct hap *h, int fd, const char *const *backends, size_t nb, uint32_t mask)
{
	struct hap_error err = { 0, "" };
	struct hap_snapshot *s = NULL;
	struct wbuf w = { NULL, 0, 0, 0 };
	size_t fields[TF_COUNT], nsel = 0, ninst, maxn;
	int map[TF_COUNT], f, ret;
	struct hap_value *vals = NULL;
	unsigned what = nb ? (HAP_SNAP_BACKENDS | HAP_SNAP_SERVERS) : HAP_SNAP_ALL;

	if (nb == 1)
		ret = hap_snapshot_new_proxy(&s, h, what, backends[0], &err);
	else
		ret = hap_snapshot_new(&s, h, what, &err);
	if (ret) {
		wbytes(&w, "HTE", 3);
		wstr(&w, err.msg[0] ? err.msg : hap_strerror(ret));
		goto out;
	}
	for (f = 0; f < TF_COUNT; f++) {
		int idx = hap_snapshot_field_index(s, top_field_names[f]);

		map[f] = !(mask & (1u << f)) ? -2 : idx < 0 ? -1 : (int)nsel;
		if (idx >= 0 && (mask & (1u << f)))
			fields[nsel++] = (size_t)idx;
	}
	ninst = hap_snapshot_instance_count(s);
	wbytes(&w, "HT1", 3);
	wuv(&w, mask);
	wuv(&w, ninst);
	winstances(&w, s, ninst);
	maxn = max_instances(s);
	vals = calloc((1 + maxn) * (nsel ? nsel : 1), sizeof(*vals));
	if (!vals) {
		w.oom = 1;
		goto out;
	}
	wrows(&w, s, backends, nb, fields, map, nsel, vals);
out:
	free(vals);
	hap_snapshot_free(s);
	ret = 0;
	if (w.oom || write_all(fd, w.p, w.len))
		ret = 1;
	free(w.p);
	return ret;
}
