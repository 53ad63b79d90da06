/*
 * set-weight.c - the change path in a few lines: find every backend that
 * holds a server, plan its new weight on every instance holding it, apply
 * the plan and print each instance's outcome (applied only when read back).
 * Uses only the public header.
 *
 *   cc set-weight.c $(pkg-config --cflags --libs libhaproxyadmin)
 *   ./a.out /run/haproxy/admin.sock SERVER WEIGHT
 */
#include <stdio.h>

#include <haproxyadmin.h>

/* Plan, apply, report: 0 when every instance took the change. */
static int set_weight(struct hap *h, const char *backend, const char *server, const char *weight)
{
	struct hap_server_op op = { HAP_SERVER_WEIGHT, backend, server, weight, NULL };
	struct hap_error err = { 0, "" };
	struct hap_plan *plan = NULL;
	struct hap_result *res = NULL;
	int ret;

	ret = hap_server_plan(&plan, h, &op, &err); /* HAP_EINVAL: bad input, nothing sent */
	if (!ret)
		ret = hap_plan_apply(&res, plan, &err);
	if (ret) {
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	for (size_t i = 0; i < hap_result_count(res); i++) {
		const char *be, *name;

		/* the object and the instance index, never a string to split */
		hap_result_object_ref(res, i, &be, &name);
		printf("%s (#%zu) %s/%s: %s %s\n", hap_result_instance(res, i),
		       hap_result_instance_index(res, i), be, name,
		       hap_outcome_name(hap_result_outcome(res, i)), hap_result_message(res, i));
	}
	ret = hap_result_all_done(res) ? 0 : HAP_ERROR;
out:
	hap_result_free(res);
	hap_plan_free(plan);
	return ret;
}

int main(int argc, char **argv)
{
	struct hap_error err = { 0, "" };
	struct hap_snapshot *snap = NULL;
	const struct hap_object *o;
	struct hap *h = NULL;
	size_t pos = 0;
	int ret = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: %s ENDPOINT SERVER WEIGHT\n", argv[0]);
		return 2;
	}
	if (hap_new(&h, NULL))
		return 1;
	if (hap_add_endpoint(h, argv[1], &err) ||
	    hap_snapshot_new(&snap, h, HAP_SNAP_SERVERS, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	/* every backend that holds a server of that name */
	ret = 0;
	while ((o = hap_snapshot_server_next(snap, &pos, NULL, argv[2])) != NULL)
		if (set_weight(h, hap_object_backend(o), argv[2], argv[3]))
			ret = 1;
out:
	hap_snapshot_free(snap);
	hap_free(h);
	return ret;
}
