/*
 * check_rules.c - compare the aggregation table with what a live HAProxy
 * says of its fields. Reads "show stat typed" and "show info typed" output
 * on stdin; for every field, the table must list it with the same tag for
 * that object type. Prints one line per mismatch; exit 1 on any.
 *
 * Lines: "F.iid.sid.pos.name.proc:TAG:type:value" (stat; F, B, S, L) and
 * "pos.Name.proc:TAG:type:value" (info).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "model/rules.h"

static int check(int info, int type, const char *name, size_t len, const char *tag, size_t *seen)
{
	const struct hap_rule_row *r = hap_rule_find(info, name, len);
	const char *want;

	(*seen)++;
	if (!r) {
		printf("missing %s field %.*s (tag %.3s)\n", info ? "info" : "stat", (int)len, name,
		       tag);
		return 1;
	}
	want = r->tag[info ? 0 : type];
	if (!want || strncmp(want, tag, 3) != 0) {
		printf("tag of %.*s for %s: table %s, haproxy %.3s\n", (int)len, name,
		       info        ? "info"
		       : type == 0 ? "frontend"
		       : type == 1 ? "backend"
		                   : "server",
		       want ? want : "(none)", tag);
		return 1;
	}
	return 0;
}

int main(void)
{
	char line[8192];
	size_t seen = 0, bad = 0;

	while (fgets(line, sizeof(line), stdin)) {
		char *colon = strchr(line, ':');
		char *p, *name, *dot;
		int type;

		if (!colon || strlen(colon) < 4)
			continue;
		if (line[0] == 'F' || line[0] == 'B' || line[0] == 'S') {
			type = line[0] == 'F' ? 0 : line[0] == 'B' ? 1 : 2;
			/* skip "X.iid.sid.pos." */
			p = line;
			for (int k = 0; k < 4 && p; k++)
				p = strchr(p + 1, '.');
			if (!p)
				continue;
			name = p + 1;
			dot = strrchr(name, '.');
			if (!dot || dot > colon)
				continue;
			bad += (size_t)check(0, type, name, (size_t)(dot - name), colon + 1, &seen);
		} else if (line[0] >= '0' && line[0] <= '9') {
			p = strchr(line, '.');
			if (!p || p > colon)
				continue;
			name = p + 1;
			dot = colon;
			while (dot > name && *dot != '.')
				dot--;
			if (dot == name)
				continue;
			bad += (size_t)check(1, -1, name, (size_t)(dot - name), colon + 1, &seen);
		}
	}
	printf("%zu fields checked, %zu mismatches\n", seen, bad);
	return bad || !seen ? 1 : 0;
}
