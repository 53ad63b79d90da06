/*
 * fuzz_pattern.c - ACL and map listings: "show acl" / "show map" (the list
 * of pattern references, hap_pat_ref_parse) and "show acl <id>" /
 * "show map <id>" (the entries, hap_pat_entry_parse). The first byte picks
 * the parser; the rest is the reply.
 *
 * Checked: ids and counters are -1 (absent) or non-negative, file and
 * description lie inside the reply without a line break; an entry's ref is
 * "0x" and hex digits, key and value lie inside its line, an ACL entry has
 * no value; a refusal leaves a message and no list.
 */
#include "haproxyadmin.h"
#include "parse/parse.h"
#include "fuzz.h"

static int no_nl(struct hap_view v)
{
	return v.n == 0 || memchr(v.p, '\n', v.n) == NULL;
}

static void refs(const char *text, size_t size)
{
	struct hap_error err = { 0, "" };
	struct hap_pat_ref_list l;
	size_t i;
	int ret = hap_pat_ref_parse(&l, text, size, &err);

	if (ret) {
		FUZZ_CHECK(ret < 0);
		FUZZ_CHECK(fuzz_msg_ok(err.msg, sizeof(err.msg)));
		FUZZ_CHECK(l.n == 0 && l.refs == NULL);
		return;
	}
	for (i = 0; i < l.n; i++) {
		const struct hap_pat_ref *r = &l.refs[i];

		FUZZ_CHECK(r->id >= 0);
		FUZZ_CHECK(r->entry_cnt >= -1 && r->curr_ver >= -1 && r->next_ver >= -1);
		FUZZ_CHECK(fuzz_inside(r->file, text, size) && no_nl(r->file));
		FUZZ_CHECK(fuzz_inside(r->desc, text, size) && no_nl(r->desc));
	}
	hap_pat_ref_release(&l);
}

static void entries(const char *text, size_t size, int is_map)
{
	struct hap_error err = { 0, "" };
	struct hap_pat_entry_list l;
	size_t i, k;
	int ret = hap_pat_entry_parse(&l, text, size, is_map, &err);

	if (ret) {
		FUZZ_CHECK(ret < 0);
		FUZZ_CHECK(fuzz_msg_ok(err.msg, sizeof(err.msg)));
		FUZZ_CHECK(l.n == 0 && l.entries == NULL);
		return;
	}
	for (i = 0; i < l.n; i++) {
		const struct hap_pat_entry *e = &l.entries[i];

		FUZZ_CHECK(e->ref.n >= 3 && fuzz_inside(e->ref, text, size));
		FUZZ_CHECK(e->ref.p[0] == '0' && e->ref.p[1] == 'x');
		for (k = 2; k < e->ref.n; k++)
			FUZZ_CHECK(strchr("0123456789abcdefABCDEF", e->ref.p[k]) && e->ref.p[k]);
		FUZZ_CHECK(fuzz_inside(e->key, text, size) && no_nl(e->key));
		FUZZ_CHECK(fuzz_inside(e->value, text, size) && no_nl(e->value));
		/* key (and value) follow the ref on its line */
		FUZZ_CHECK(e->key.p == e->ref.p + e->ref.n + 1);
		if (!is_map)
			FUZZ_CHECK(e->value.n == 0);
		if (is_map && e->value.n)
			FUZZ_CHECK(e->value.p == e->key.p + e->key.n + 1);
		if (is_map)
			FUZZ_CHECK(!memchr(e->key.p, ' ', e->key.n));
	}
	hap_pat_entry_release(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		refs(text, size - 1);
		break;
	case 1:
		entries(text, size - 1, 0);
		break;
	default:
		entries(text, size - 1, 1);
		break;
	}
	return 0;
}
