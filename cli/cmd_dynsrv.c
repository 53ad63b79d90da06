/*
 * cmd_dynsrv.c - dynamic servers: "server add", "server del" and the safe
 * "server remove" (drain, wait, maint, del, with the rollback), each read
 * back from every instance. Shares workflow.h with cmd_workflow.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "workflow.h"

static int kw_value(struct cli *c, const struct wf *w, size_t *i, const char **out)
{
	if (*i + 1 >= w->nargs)
		return cli_usage(c, "server add: %s needs a value", w->args[*i]);
	*out = w->args[++*i];
	return -1;
}

/* The first entry of r sent to each instance of s (a re-read of the plan's
 * instances), by the entries' instance index: the same index when it names
 * the same instance, a name search only when the fleet's instances moved.
 * (size_t)-1 where none was sent. Caller frees; NULL when out of memory. */
static size_t *sent_entries(const struct hap_snapshot *s, const struct hap_result *r)
{
	size_t ns = hap_snapshot_instance_count(s), i, j, k;
	size_t *first = malloc((ns ? ns : 1) * sizeof(*first));

	for (i = 0; first && i < ns; i++)
		first[i] = (size_t)-1;
	for (k = 0; first && r && k < hap_result_count(r); k++) {
		const char *name = hap_result_instance(r, k);

		i = hap_result_instance_index(r, k);
		if (i == HAP_AGGREGATE || !hap_result_sent(r, k))
			continue;
		if (i >= ns || strcmp(hap_instance_name(s, i), name) != 0)
			for (i = ns, j = 0; j < ns && i == ns; j++)
				if (strcmp(hap_instance_name(s, j), name) == 0)
					i = j;
		if (i < ns && first[i] == (size_t)-1)
			first[i] = k;
	}
	return first;
}

/* Read back a backend after add/remove: is (backend, name) there, and how. */
static size_t verify(struct cli *c, struct vrow *v, size_t max, const char *backend,
                     const char *name, const struct hap_result *r, int want_present, int want_maint)
{
	struct hap_snapshot *s = NULL;
	struct hap_error err = { 0, "" };
	const struct hap_object *o;
	size_t i, k, n = 0, *first;

	if (hap_snapshot_new_proxy(&s, c->h, HAP_SNAP_SERVERS, backend, &err)) {
		cli_err(c, "could not read back: %s", err.msg);
		return 0;
	}
	first = sent_entries(s, r);
	if (!first) {
		cli_err(c, "could not read back: out of memory");
		hap_snapshot_free(s);
		return 0;
	}
	o = hap_snapshot_find(s, HAP_OBJ_SERVER, backend, name);
	for (i = 0; i < hap_snapshot_instance_count(s) && n < max; i++) {
		const char *msg = hap_result_message(hap_snapshot_result(s), i);
		struct hap_value st;
		int holds = 0;

		if (hap_instance_flags(s, i) & (HAP_INST_DUPLICATE | HAP_INST_EXCLUDED))
			continue;
		/* only instances the workflow wrote to */
		if (first[i] == (size_t)-1)
			continue;
		v[n].entry = first[i];
		snprintf(v[n].object, sizeof(v[n].object), "%s/%s", backend, name);
		snprintf(v[n].instance, sizeof(v[n].instance), "%s", hap_instance_name(s, i));
		if (hap_result_code(hap_snapshot_result(s), i)) {
			v[n].ok = 0;
			snprintf(v[n].msg, sizeof(v[n].msg), "not read back: %s", msg);
			n++;
			continue;
		}
		memset(&st, 0, sizeof(st));
		for (k = 0; o && k < hap_object_instance_count(o); k++)
			if (hap_object_instance(o, k) == i) {
				holds = 1;
				hap_object_value(&st, o, k, "status");
			}
		if (holds)
			snprintf(v[n].msg, sizeof(v[n].msg), "present, status %.*s",
			         st.kind == HAP_VALUE_TEXT ? (int)st.len : 1,
			         st.kind == HAP_VALUE_TEXT ? st.text : "?");
		else
			snprintf(v[n].msg, sizeof(v[n].msg), "absent");
		v[n].ok = holds == want_present &&
		          (!holds || want_maint < 0 ||
		           (st.kind == HAP_VALUE_TEXT &&
		            (st.len >= 5 && !memcmp(st.text, "MAINT", 5)) == want_maint));
		n++;
	}
	free(first);
	hap_snapshot_free(s);
	return n;
}

/* The keywords after BACKEND/NAME ADDR into a: -1 to go on, else a usage error. */
static int add_keywords(struct cli *c, struct wf *w, struct hap_server_add *a)
{
	size_t i;
	int ret;

	for (i = 2; i < w->nargs; i++) {
		const char *k = w->args[i];

		if (strcmp(k, "weight") == 0) {
			if (a->weight)
				return cli_usage(c, "server add: weight given twice");
			if ((ret = kw_value(c, w, &i, &a->weight)) >= 0)
				return ret;
		} else if (strcmp(k, "maxconn") == 0) {
			if (a->maxconn)
				return cli_usage(c, "server add: maxconn given twice");
			if ((ret = kw_value(c, w, &i, &a->maxconn)) >= 0)
				return ret;
		} else if (strcmp(k, "agent-port") == 0) {
			if (a->agent_port)
				return cli_usage(c, "server add: agent-port given twice");
			if ((ret = kw_value(c, w, &i, &a->agent_port)) >= 0)
				return ret;
		} else if (strcmp(k, "check") == 0 && !a->check) {
			a->check = 1;
		} else if (strcmp(k, "agent-check") == 0 && !a->agent_check) {
			a->agent_check = 1;
		} else if (strcmp(k, "backup") == 0 && !a->backup) {
			a->backup = 1;
		} else if (strcmp(k, "disabled") == 0 && !a->disabled) {
			a->disabled = 1;
		} else {
			return cli_usage(c, "server add: unknown or repeated keyword '%s'", k);
		}
	}
	return -1;
}

/* Read the added server back: present and out of maintenance where kept;
 * absent where rolled back. The rows into v (64), their count. */
static size_t add_verify(struct cli *c, const struct hap_server_add *a, const struct hap_result *r,
                         struct vrow *v)
{
	int rolled = 0;
	size_t i, nv;

	for (i = 0; i < hap_result_count(r); i++)
		rolled |= strncmp(hap_result_command(r, i), "del server", 10) == 0;
	nv = verify(c, v, 64, a->backend, a->name, r, !rolled, rolled ? -1 : a->disabled ? 1 : 0);
	/* an instance that refused the add may hold its own server of that
	 * name: it was never ours to delete (its first entry is the add) */
	for (i = 0; rolled && i < nv; i++)
		if (strcmp(v[i].msg, "absent") != 0 &&
		    strncmp(hap_result_command(r, v[i].entry), "add", 3) == 0 &&
		    hap_result_code(r, v[i].entry))
			v[i].ok = 1;
	return nv;
}

int wf_add(struct cli *c, int argc, char **argv)
{
	const char *usage = "BACKEND/NAME ADDR[:PORT] [weight N] [maxconn N] [check] "
	                    "[agent-check agent-port P] [backup] [disabled] [--keep-partial]";
	struct hap_server_add a;
	struct hap_error err = { 0, "" };
	struct hap_result *r = NULL;
	struct hap_plan *p = NULL;
	struct vrow v[64];
	size_t nv = 0;
	char bk[256];
	const char *slash;
	struct wf w;
	int ret = wf_parse(c, &w, argc, argv, usage);

	if (ret >= 0)
		return ret;
	if ((ret = wf_only(c, &w, 0, 0, 0, 1, 0)) >= 0)
		return ret;
	if (w.nargs < 2)
		return cli_usage(c, "usage: server add %s", usage);
	memset(&a, 0, sizeof(a));
	slash = strchr(w.args[0], '/');
	if (!slash || (size_t)(slash - w.args[0]) >= sizeof(bk))
		return cli_usage(c, "server add: the server is named BACKEND/NAME, not '%s'",
		                 w.args[0]);
	snprintf(bk, sizeof(bk), "%.*s", (int)(slash - w.args[0]), w.args[0]);
	a.backend = bk;
	a.name = slash + 1;
	a.addr = w.args[1];
	a.keep_partial = w.keep_partial;
	if ((ret = add_keywords(c, &w, &a)) >= 0)
		return ret;
	ret = hap_server_add_check(&a, &err);
	if (ret)
		return cli_usage(c, "%s", err.msg);
	ret = cli_fleet(c);
	if (ret)
		return ret;
	ret = hap_server_add_plan(&p, c->h, &a, &err);
	if (ret)
		return plan_error(c, ret, &err);
	if (c->dry_run) {
		change_dry_run(p);
		printf("# then, where it was added:%s%s%s (or \"del server\" there if any instance "
		       "refuses)\n",
		       a.check ? " enable health;" : "", a.agent_check ? " enable agent;" : "",
		       a.disabled ? "" : " enable server");
		hap_plan_free(p);
		return EXIT_OK;
	}
	ret = hap_server_add_apply(&r, p, &a, &err);
	if (ret) {
		cli_err(c, "%s", err.msg);
		hap_plan_free(p);
		return EXIT_FAILED;
	}
	if (!c->no_verify)
		nv = add_verify(c, &a, r, v);
	wf_report(c, r, v, nv);
	ret = wf_exit_of(r, v, nv);
	hap_result_free(r);
	hap_plan_free(p);
	return ret;
}

int wf_del(struct cli *c, int argc, char **argv)
{
	struct hap_error err = { 0, "" };
	struct hap_server_sel sel;
	struct hap_result *r = NULL;
	struct hap_plan *p = NULL;
	struct wf w;
	int ret = wf_names(c, &w, argc, argv, "NAME... [-b BACKEND]...", 0, 0, 0, 0, 1);

	if (ret >= 0)
		return ret;
	ret = wf_selection(c, &w, &sel);
	if (ret)
		return ret;
	ret = hap_server_del_plan(&p, c->h, &sel, &err);
	if (ret)
		return plan_error(c, ret, &err);
	if (c->dry_run) {
		change_dry_run(p);
		hap_plan_free(p);
		return EXIT_OK;
	}
	ret = wf_confirm(c, "delete", hap_plan_objects(p));
	if (!ret) {
		ret = hap_plan_apply(&r, p, &err);
		if (ret) {
			cli_err(c, "%s", err.msg);
			ret = EXIT_FAILED;
		} else {
			wf_report(c, r, NULL, 0);
			ret = wf_exit_of(r, NULL, 0);
		}
	}
	hap_result_free(r);
	hap_plan_free(p);
	return ret;
}

int wf_remove(struct cli *c, int argc, char **argv)
{
	struct hap_error err = { 0, "" };
	struct hap_server_sel sel;
	struct hap_result *r = NULL;
	struct vrow v[256];
	size_t nv = 0, i, j;
	struct wf w;
	int ret = wf_names(c, &w, argc, argv, "NAME... [-b BACKEND]... [--wait S] [--interval S]",
	                   1, 1, 0, 0, 1);

	if (ret >= 0)
		return ret;
	ret = wf_selection(c, &w, &sel);
	if (ret)
		return ret;
	if (c->dry_run) {
		struct hap_server_op op = { HAP_SERVER_STATE, NULL, NULL, "drain", NULL };
		struct hap_plan *p = NULL;

		ret = hap_servers_plan(&p, c->h, &op, &sel, &err);
		if (ret)
			return plan_error(c, ret, &err);
		change_dry_run(p);
		printf("# then wait until scur and qcur are 0 (up to %.0fs), \"set server B/S "
		       "state "
		       "maint\" and \"del server B/S\" on each instance; on any failure, back to "
		       "the state found\n",
		       w.wait_s);
		hap_plan_free(p);
		return EXIT_OK;
	}
	ret = wf_confirm(c, "remove", w.nnames);
	if (ret)
		return ret;
	ret = hap_server_remove(&r, c->h, &sel, wf_ms(w.wait_s), wf_ms(w.interval), wf_progress, c,
	                        &err);
	wf_progress_end();
	if (ret)
		return plan_error(c, ret, &err);
	/* read back every removed (or restored) server */
	if (!c->no_verify) {
		int gone = !hap_result_failures(r);

		for (i = 0; i < hap_result_count(r); i++) {
			const char *obj = hap_result_object(r, i), *be, *nm;

			if (hap_result_object_ref(r, i, &be, &nm) != HAP_KIND_SERVER ||
			    strncmp(hap_result_command(r, i), "set server", 10) != 0)
				continue;
			for (j = 0; j < i; j++)
				if (strcmp(hap_result_object(r, j), obj) == 0 &&
				    strncmp(hap_result_command(r, j), "set server", 10) == 0)
					break;
			if (j < i)
				continue; /* one read-back per object */
			nv += verify(c, v + nv, 256 - nv, be, nm, r, !gone, -1);
		}
	}
	wf_report(c, r, v, nv);
	ret = wf_exit_of(r, v, nv);
	hap_result_free(r);
	return ret;
}
