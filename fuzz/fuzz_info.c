/*
 * fuzz_info.c - "show info" (hap_info_parse): any bytes, parsed where they
 * are, never read past their end.
 *
 * Checked: on success every key and value lies inside the input, *consumed
 * is within it, every key is found again by hap_info_get() (its first
 * occurrence), and a second parse of the rest (the snapshot parses the
 * next reply from *consumed) is just as safe. On failure: a message.
 */
#include "haproxyadmin.h"
#include "parse/parse.h"
#include "fuzz.h"

static void one(const char *p, size_t n, int again)
{
	struct hap_error err = { 0, "" };
	struct hap_info info;
	size_t used = (size_t)-1, i;
	int ret;

	ret = hap_info_parse(&info, p, n, &used, &err);
	if (ret) {
		FUZZ_CHECK(ret < 0);
		FUZZ_CHECK(fuzz_msg_ok(err.msg, sizeof(err.msg)));
		return;
	}
	FUZZ_CHECK(used <= n);
	FUZZ_CHECK(info.n > 0);
	for (i = 0; i < info.n; i++) {
		struct hap_view k = hap_info_key(&info, i), v = hap_info_val(&info, i), got;
		char key[256];

		FUZZ_CHECK(fuzz_inside(k, p, used));
		FUZZ_CHECK(fuzz_inside(v, p, used));
		FUZZ_CHECK(memchr(k.p, '\n', k.n) == NULL);
		FUZZ_CHECK(v.n == 0 || memchr(v.p, '\n', v.n) == NULL);
		/* lookups are by NUL-terminated name: keys holding a NUL cannot be asked for */
		if (k.n < sizeof(key) && !memchr(k.p, '\0', k.n)) {
			memcpy(key, k.p, k.n);
			key[k.n] = '\0';
			FUZZ_CHECK(hap_info_get(&info, key, &got) == 1);
			FUZZ_CHECK(fuzz_inside(got, p, used));
		}
	}
	FUZZ_CHECK(hap_info_get(&info, "Name", &(struct hap_view){ NULL, 0 }) == 1);
	hap_info_release(&info);
	FUZZ_CHECK(info.n == 0 && info.kv == NULL);
	if (again)
		one(p + used, n - used, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one((const char *)data, size, 1);
	return 0;
}
