/*
 * srvstate.c - the runtime state a reload would undo: each instance's
 * "show servers state" compared with what its configuration says.
 *
 * Must never: report an instance it could not read as having no changes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "util/view.h"
#include "util/banned.h"

/* ---------------------------------------------------------------- state */

int hap_server_state_read(struct hap_result **out, struct hap *h, struct hap_error *err)
{
	return hap_exec(out, h, "show servers state", err);
}

struct hap_state_diff {
	struct hap_result *read;
	size_t n, cap;
	struct {
		size_t inst; /* entry of read */
		char *backend, *server, *field, *config, *runtime;
	} * c;
};

static int diff_add(struct hap_state_diff *d, size_t inst, const char *be, size_t bel,
                    const char *srv, size_t srvl, const char *field, const char *cfg,
                    const char *rt)
{
	if (d->n == d->cap) {
		size_t nc = d->cap ? 2 * d->cap : 16;
		void *q = realloc(d->c, nc * sizeof(*d->c));

		if (!q)
			return HAP_ENOMEM;
		d->c = q;
		d->cap = nc;
	}
	d->c[d->n].inst = inst;
	d->c[d->n].backend = strndup(be, bel);
	d->c[d->n].server = strndup(srv, srvl);
	d->c[d->n].field = strdup(field);
	d->c[d->n].config = strdup(cfg);
	d->c[d->n].runtime = strdup(rt);
	d->n++;
	if (!d->c[d->n - 1].backend || !d->c[d->n - 1].server || !d->c[d->n - 1].field ||
	    !d->c[d->n - 1].config || !d->c[d->n - 1].runtime)
		return HAP_ENOMEM;
	return 0;
}

/* Words of a line: up to max, as views. */
static size_t words(const char *p, const char *end, const char **w, size_t *wl, size_t max)
{
	size_t n = 0;

	while (p < end && n < max) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			break;
		w[n] = p;
		while (p < end && *p != ' ')
			p++;
		wl[n] = (size_t)(p - w[n]);
		n++;
	}
	return n;
}

static int col(const char *const *w, const size_t *wl, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (wl[i] == strlen(name) && memcmp(w[i], name, wl[i]) == 0)
			return (int)i;
	return -1;
}

static int parse_state(struct hap_state_diff *d, size_t inst, const char *text)
{
	const char *p = text, *hw[40], *w[40];
	size_t hl[40], wl[40], nh = 0;
	int cb = -1, cs = -1, cu = -1, ci = -1, ca = -1, ret = 0;

	while (*p && !ret) {
		const char *e = strchr(p, '\n');
		size_t nw;

		if (!e)
			e = p + strlen(p);
		if (*p == '#') {
			nh = words(p + 1, e, hw, hl, 40);
			cb = col(hw, hl, nh, "be_name");
			cs = col(hw, hl, nh, "srv_name");
			cu = col(hw, hl, nh, "srv_uweight");
			ci = col(hw, hl, nh, "srv_iweight");
			ca = col(hw, hl, nh, "srv_admin_state");
		} else if (nh && cb >= 0 && cs >= 0 && cu >= 0 && ci >= 0 && ca >= 0) {
			nw = words(p, e, w, wl, 40);
			if (nw == nh) {
				char u[24], iw[24], a[24], rt[32];
				int64_t adm = 0;

				snprintf(u, sizeof(u), "%.*s", (int)wl[cu], w[cu]);
				snprintf(iw, sizeof(iw), "%.*s", (int)wl[ci], w[ci]);
				snprintf(a, sizeof(a), "%.*s", (int)wl[ca], w[ca]);
				if (strcmp(u, iw) != 0)
					ret = diff_add(d, inst, w[cb], wl[cb], w[cs], wl[cs],
					               "weight", iw, u);
				/* forced by the runtime API: FMAINT 0x1, FDRAIN 0x8 */
				if (!ret && !hap_num_parse_i64(a, &adm) && (adm & 0x9)) {
					snprintf(rt, sizeof(rt), "%s%s%s", adm & 0x1 ? "maint" : "",
					         (adm & 0x9) == 0x9 ? "+" : "",
					         adm & 0x8 ? "drain" : "");
					const char *cfg = adm & 0x4 ? "maint" : "ready";

					/* maint forced on a server disabled in the
					 * configuration: what a reload gives back */
					if (strcmp(cfg, rt) != 0)
						ret = diff_add(d, inst, w[cb], wl[cb], w[cs],
						               wl[cs], "state", cfg, rt);
				}
			}
		}
		p = *e ? e + 1 : e;
	}
	return ret;
}

int hap_server_state_diff(struct hap_state_diff **out, struct hap *h, struct hap_error *err)
{
	struct hap_state_diff *d = calloc(1, sizeof(*d));
	size_t i, n;
	int ret;

	*out = NULL;
	if (!d)
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	ret = hap_server_state_read(&d->read, h, err);
	if (ret)
		goto out;
	n = hap_result_count(d->read);
	for (i = 0; i < n && !ret; i++) {
		if (hap_result_code(d->read, i))
			continue; /* hap_state_diff_result() says why */
		ret = parse_state(d, i, hap_result_message(d->read, i));
		if (ret)
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
	}
out:
	if (ret) {
		hap_state_diff_free(d);
		return ret;
	}
	*out = d;
	return 0;
}

size_t hap_state_diff_count(const struct hap_state_diff *d)
{
	return d->n;
}

void hap_state_diff_get(struct hap_state_change *out, const struct hap_state_diff *d, size_t i)
{
	out->instance = d->c[i].inst;
	out->backend = d->c[i].backend;
	out->server = d->c[i].server;
	out->field = d->c[i].field;
	out->config = d->c[i].config;
	out->runtime = d->c[i].runtime;
}

const struct hap_result *hap_state_diff_result(const struct hap_state_diff *d)
{
	return d->read;
}

void hap_state_diff_free(struct hap_state_diff *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->c[i].backend);
		free(d->c[i].server);
		free(d->c[i].field);
		free(d->c[i].config);
		free(d->c[i].runtime);
	}
	free(d->c);
	hap_result_free(d->read);
	free(d);
}
