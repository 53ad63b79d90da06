/*
 * cmd_dump.c - "dump": everything, merged, as one JSON document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "rows.h"

int cmd_dump(struct cli *c, int argc, char **argv)
{
	static const char *const keys[] = { "frontends", "backends", "servers" };
	struct hap_snapshot *s;
	struct jw w;
	size_t failed = 0;
	int ret, t, compact = 0;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: haproxyadmin dump [--compact]\n\nEverything, merged across "
		       "instances, "
		       "as one JSON document:\n{\"haproxy\", \"frontends\", \"backends\", "
		       "\"servers\"}; with -o prometheus, the\nexporter's text once. "
		       "--compact: the same document, where each instance's\n\"metrics\" and "
		       "\"text\" hold only the fields whose value differs from the\nobject's "
		       "aggregate (\"status\" and \"weight\" stay; null: the instance has "
		       "none).\nWith -o csv or -o table: "
		       "one row per object and\ninstance after the object's aggregate row "
		       "(instance \"*\"): object (its type),\nbackend, name, instance, then "
		       "every \"show stat\" field (\"-\" absent, \"*\" the\ninstances "
		       "disagree). The instances' \"show info\" is 'haproxyadmin info'.\n");
		return EXIT_OK;
	}
	if (argc == 2 && strcmp(argv[1], "--compact") == 0)
		compact = 1;
	else if (argc > 1)
		return cli_usage(c, "dump: unknown argument '%s' (only --compact)", argv[1]);
	if (compact && c->fmt_set && c->fmt != FMT_JSON)
		return cli_usage(c, "dump --compact: for the JSON document (-o json) only");
	if (c->fmt == FMT_PROMETHEUS)
		return cmd_exporter(c, argc, argv);
	ret = cli_snapshot(c, HAP_SNAP_ALL, &s, &failed);
	if (ret)
		return ret;
	if (c->fmt_set && c->fmt != FMT_JSON) {
		/* rows (dump_rows.c); without -o the dump stays JSON */
		ret = dump_rows(c, s);
		hap_snapshot_free(s);
		return ret ? ret : failed ? EXIT_FAILED : EXIT_OK;
	}
	jw_init(&w, stdout);
	jw_obj(&w);
	jw_key(&w, "haproxy");
	info_json(&w, s);
	for (t = 0; t < 3; t++) {
		size_t i, n = hap_snapshot_count(s, (enum hap_obj)t);
		const struct hap_object **objs = calloc(n ? n : 1, sizeof(*objs));

		if (!objs) {
			cli_err(c, "out of memory");
			hap_snapshot_free(s);
			return EXIT_FAILED;
		}
		for (i = 0; i < n; i++)
			objs[i] = hap_snapshot_object(s, (enum hap_obj)t, i);
		jw_key(&w, keys[t]);
		objects_json(&w, s, objs, n, compact ? DETAIL_COMPACT : DETAIL_FULL);
		free(objs);
	}
	jw_end_obj(&w);
	jw_done(&w);
	hap_snapshot_free(s);
	return failed ? EXIT_FAILED : EXIT_OK;
}
