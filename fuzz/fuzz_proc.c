/*
 * fuzz_proc.c - the master CLI's "show proc" (hap_proc_parse), which
 * decides which workers a master endpoint stands for.
 *
 * Checked: every entry has a positive pid, a non-negative reload count, a
 * known kind, and uptime and version views inside the input without a
 * line break; a refusal leaves a message and no list.
 */
#include "haproxyadmin.h"
#include "parse/parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct hap_error err = { 0, "" };
	struct hap_proc_list pl;
	size_t i;
	int ret;

	ret = hap_proc_parse(&pl, text, size, &err);
	if (ret) {
		FUZZ_CHECK(ret < 0);
		FUZZ_CHECK(fuzz_msg_ok(err.msg, sizeof(err.msg)));
		FUZZ_CHECK(pl.n == 0 && pl.procs == NULL);
		return 0;
	}
	FUZZ_CHECK(size >= 6 && memcmp(text, "#<PID>", 6) == 0);
	for (i = 0; i < pl.n; i++) {
		const struct hap_proc *p = &pl.procs[i];

		FUZZ_CHECK(p->pid > 0);
		FUZZ_CHECK(p->reloads >= 0);
		FUZZ_CHECK(p->kind <= HAP_PROC_OLD_PROGRAM);
		FUZZ_CHECK(p->uptime.n > 0 && fuzz_inside(p->uptime, text, size));
		FUZZ_CHECK(p->version.n > 0 && fuzz_inside(p->version, text, size));
		FUZZ_CHECK(!memchr(p->uptime.p, '\n', p->uptime.n));
		FUZZ_CHECK(!memchr(p->version.p, '\n', p->version.n));
	}
	hap_proc_release(&pl);
	return 0;
}
