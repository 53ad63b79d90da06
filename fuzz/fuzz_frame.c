/*
 * fuzz_frame.c - the framing of one instance's snapshot reply
 * (hap_frame_snapshot): any bytes, framed where they are, never read past
 * their end.
 *
 * Input: byte 0 = what was asked (HAP_SNAP_ACLS, HAP_SNAP_MAPS bits), then
 * the reply.
 *
 * Checked: the status is a known one; a reply taken as whole ends with a
 * blank line; every part lies inside the reply, in order (level, info,
 * listings, rows) and without overlap; listings are there exactly when
 * asked; the routing failure's first line is the reply's own. The same
 * bytes as a prompt-mode stream (hap_prompt_cut, hap_master_prompt_cut):
 * every reply cut ends with '\n' right before its prompt, and the cuts move
 * forward inside the bytes.
 * Framed while it arrives (hap_frame_rows_start), any first part that finds
 * the rows finds them where every longer part does, and where the whole
 * framed reply has them.
 */
#include "haproxyadmin.h"
#include "proto/frame.h"
#include "fuzz.h"

/* Cut p[0, n) as a worker's and as a master's prompt-mode stream. */
static void fuzz_prompts(const char *p, size_t n)
{
	size_t pos = 0, end, next;

	while ((end = hap_prompt_cut(p, n, pos)) != 0) {
		FUZZ_CHECK(end > pos && end + 2 <= n && p[end - 1] == '\n');
		FUZZ_CHECK(p[end] == '>' && p[end + 1] == ' ');
		pos = end + 2;
	}
	pos = 0;
	while (hap_master_prompt_cut(p, n, pos, &end, &next)) {
		FUZZ_CHECK(end >= pos && next > end && next <= n);
		FUZZ_CHECK(end == pos || p[end - 1] == '\n');
		FUZZ_CHECK(next - end >= 8 && memcmp(p + end, "master", 6) == 0);
		FUZZ_CHECK(p[next - 2] == '>' && p[next - 1] == ' ');
		pos = next;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hap_frame fr;
	const char *p;
	size_t n, at;
	unsigned what;
	char *copy;

	if (size < 1)
		return 0;
	what = data[0] & (HAP_SNAP_ACLS | HAP_SNAP_MAPS);
	n = size - 1;
	/* exactly as large as the reply: ASan sees a read past it */
	copy = malloc(n ? n : 1);
	FUZZ_CHECK(copy != NULL);
	if (n)
		memcpy(copy, data + 1, n);
	p = copy;
	fuzz_prompts(p, n);
	hap_frame_snapshot(&fr, p, n, what);
	{
		size_t rest_all = 0, rest_part = 0, cut = n ? (size_t)data[0] * n / 256 : 0;
		int all = hap_frame_rows_start(p, n, what, &rest_all);

		if (all && fr.status == HAP_FRAME_OK)
			FUZZ_CHECK(rest_all == fr.rest);
		if (all)
			FUZZ_CHECK(rest_all <= n);
		if (hap_frame_rows_start(p, cut, what, &rest_part)) {
			FUZZ_CHECK(all && rest_part == rest_all);
			FUZZ_CHECK(rest_part <= cut);
		}
	}
	FUZZ_CHECK(fr.status <= HAP_FRAME_CUT);
	FUZZ_CHECK(fuzz_inside(fr.first_line, p, n));
	FUZZ_CHECK(memchr(fr.first_line.p, '\n', fr.first_line.n) == NULL);
	if (fr.status == HAP_FRAME_ROUTING)
		FUZZ_CHECK(hap_master_routing_failed(p, n));
	if (fr.status != HAP_FRAME_OK) {
		free(copy);
		return 0;
	}
	FUZZ_CHECK(n >= 2 && p[n - 1] == '\n' && p[n - 2] == '\n');
	FUZZ_CHECK(fr.level >= HAP_LEVEL_UNKNOWN && fr.level <= HAP_LEVEL_ADMIN);
	FUZZ_CHECK(fuzz_inside(fr.info, p, n));
	at = fr.info.n ? (size_t)(fr.info.p - p) + fr.info.n : (size_t)(fr.info.p - p);
	for (int k = 0; k < 2; k++) {
		FUZZ_CHECK(fr.has_pat[k] == !!(what & (k ? HAP_SNAP_MAPS : HAP_SNAP_ACLS)));
		if (!fr.has_pat[k])
			continue;
		FUZZ_CHECK(fuzz_inside(fr.pat[k], p, n));
		FUZZ_CHECK((size_t)(fr.pat[k].p - p) >= at);
		at = (size_t)(fr.pat[k].p - p) + fr.pat[k].n;
	}
	FUZZ_CHECK(fr.rest >= at && fr.rest <= n);
	free(copy);
	return 0;
}
