/*
 * fleet-status.c - the library in a few lines: read every HAProxy behind
 * the endpoints given on the command line and print each server's status,
 * merged across instances. Uses only the public header.
 *
 *   cc fleet-status.c $(pkg-config --cflags --libs libhaproxyadmin)
 *   ./a.out /run/haproxy
 */
#include <stdio.h>

#include <haproxyadmin.h>

int main(int argc, char **argv)
{
	struct hap_error err = { 0, "" };
	struct hap_snapshot *snap = NULL;
	struct hap *h = NULL;
	int i, ret = 1;

	if (hap_new(&h, NULL))
		return 1;
	for (i = 1; i < argc; i++)
		if (hap_add_endpoint(h, argv[i], &err)) {
			fprintf(stderr, "%s\n", err.msg);
			goto out;
		}
	if (hap_snapshot_new(&snap, h, HAP_SNAP_SERVERS, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	/* how the read went on each instance: one struct hap_result */
	for (size_t n = 0; n < hap_result_count(hap_snapshot_result(snap)); n++)
		if (hap_result_code(hap_snapshot_result(snap), n))
			fprintf(stderr, "%s: not read: %s\n", hap_instance_name(snap, n),
			        hap_result_message(hap_snapshot_result(snap), n));
	for (size_t k = 0; k < hap_snapshot_count(snap, HAP_OBJ_SERVER); k++) {
		const struct hap_object *o = hap_snapshot_object(snap, HAP_OBJ_SERVER, k);
		struct hap_value v;

		hap_object_value(&v, o, HAP_AGGREGATE, "status");
		printf("%s/%s %.*s on %zu instance(s)\n", hap_object_backend(o), hap_object_name(o),
		       v.kind == HAP_VALUE_TEXT ? (int)v.len : 5,
		       v.kind == HAP_VALUE_TEXT ? v.text : "mixed", hap_object_instance_count(o));
	}
	ret = 0;
out:
	hap_snapshot_free(snap);
	hap_free(h);
	return ret;
}
