/*
 * fuzz_reply.c - what happens to a reply once it has been read to EOF:
 * the snapshot's split of one exchange ("show cli level", "show info", then
 * the "show acl" / "show map" listings, then "show stat"), the merge of
 * several instances, and the reply tables that judge a change.
 *
 * The framing is src/proto/frame.c (fuzz_frame.c fuzzes it alone); the
 * parse of each part lives in a static function of src/model/snapshot.c
 * (parse_inst), and the file is included here so the same code is fuzzed
 * with the snapshot's insides in reach (model/snapshot_int.h). Its public
 * symbols then come from this unit, so the linker does not take
 * snapshot.o from the archive; the merge (merge.c) and the values
 * (aggregate.c) come from the archive.
 *
 * Input: byte 0 = what was asked (HAP_SNAP_* bits), byte 1 = which
 * instances are left out of aggregates (bits 0-3) and whether each reply's
 * first half is fed as it arrives (bit 4), then up to 4 instances'
 * replies separated by "\n@@@\n".
 *
 * Checked: an instance either parsed (with exactly the parts asked for) or
 * carries an error message; every view stays inside its reply; merged
 * objects have instances and can be found again by name; evaluating every
 * field of every object, per instance and aggregated, and every "show
 * info" key is safe. Judging: the verdict is a known one, trailing newlines
 * do not change it, and a reply is never judged applied unless it is
 * empty or holds the text of one of the table's success rules.
 */
#include "model/snapshot.c"

#include "ops/ops.h"
#include "fuzz.h"

#define SEP  "\n@@@\n"
#define MAXI 4

static const struct hap_reply_table *const tables[] = {
	&hap_op_set_weight,
	&hap_op_set_state,
	&hap_op_enable_server,
	&hap_op_disable_server,
	&hap_op_set_addr,
	&hap_op_set_health,
	&hap_op_set_agent,
	&hap_op_enable_health,
	&hap_op_disable_health,
	&hap_op_enable_agent,
	&hap_op_disable_agent,
	&hap_op_set_maxconn_server,
	&hap_op_shutdown_sessions,
	&hap_op_enable_frontend,
	&hap_op_disable_frontend,
	&hap_op_shutdown_frontend,
	&hap_op_set_maxconn_frontend,
	&hap_op_set_maxconn_global,
	&hap_op_set_rate_limit,
	&hap_op_clear_counters,
	&hap_op_clear_counters_all,
};

static int contains(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s), i;

	for (i = 0; l <= n && i + l <= n; i++)
		if (p[i] == s[0] && memcmp(p + i, s, l) == 0)
			return 1;
	return 0;
}

/* The first separator in [p, end), or NULL. */
static const char *find_sep(const char *p, const char *end)
{
	size_t l = strlen(SEP);

	for (; (size_t)(end - p) >= l; p++)
		if (*p == SEP[0] && memcmp(p, SEP, l) == 0)
			return p;
	return NULL;
}

static void judge(const char *p, size_t n)
{
	char *more = malloc(n + 2);
	size_t t, tn = n;

	FUZZ_CHECK(more != NULL);
	if (n)
		memcpy(more, p, n);
	more[n] = '\n';
	more[n + 1] = '\r';
	while (tn && (p[tn - 1] == '\n' || p[tn - 1] == '\r'))
		tn--;
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		enum hap_verdict v = hap_reply_judge(tables[t], p, n);
		const struct hap_reply_rule *r;
		int known = tn == 0;

		/* no byte at all is unknown (not even a silent success's "\n") */
		FUZZ_CHECK(v <= HAP_V_UNKNOWN && (n == 0) == (v == HAP_V_UNKNOWN));
		FUZZ_CHECK(n == 0 || hap_reply_judge(tables[t], more, n + 1) == v);
		FUZZ_CHECK(n == 0 || hap_reply_judge(tables[t], more, n + 2) == v);
		if (v != HAP_V_APPLIED)
			continue;
		for (r = tables[t]->rules; r->match != HAP_M_END; r++)
			if (r->verdict == HAP_V_APPLIED && r->text && contains(p, tn, r->text))
				known = 1;
		FUZZ_CHECK(known);
	}
	free(more);
}

static void check_inst(const struct snap_inst *in, unsigned what)
{
	const char *base = in->reply.ptr;
	size_t len = in->reply.len, i;

	FUZZ_CHECK(in->level >= HAP_LEVEL_UNKNOWN && in->level <= HAP_LEVEL_ADMIN);
	if (in->err) {
		FUZZ_CHECK(in->err < 0 && in->errmsg && in->errmsg[0]);
		return;
	}
	FUZZ_CHECK(in->has_info);
	/* a reply cut short (no final blank line) is never taken for a whole one */
	FUZZ_CHECK(len >= 2 && base[len - 1] == '\n' && base[len - 2] == '\n');
	FUZZ_CHECK(in->has_pat[0] == !!(what & HAP_SNAP_ACLS));
	FUZZ_CHECK(in->has_pat[1] == !!(what & HAP_SNAP_MAPS));
	/* a stat part asked for is parsed, unless HAProxy said the proxy of a
	 * one-proxy read is not there ("No such proxy."): then it holds no row */
	FUZZ_CHECK(
	        in->has_stat == !!(what & HAP_SNAP_ALL) ||
	        (!in->has_stat && (what & HAP_SNAP_ALL) && contains(base, len, "No such proxy.")));
	/* "show info" is kept as values only, its keys shared by the
	 * instances that sent the same list: every value lies in its own
	 * block, in order, and no longer than the reply it came from */
	if (in->ival) {
		const struct snap_ikeys *k = &in->s->ikeys[in->ikeys];

		FUZZ_CHECK(in->ikeys < in->s->nikeys);
		for (i = 0; i < k->n; i++)
			FUZZ_CHECK(in->ival[i] <= in->ival[i + 1]);
		FUZZ_CHECK(in->ival[k->n] <= len + in->icut);
		if (k->n)
			FUZZ_CHECK(hap_snap_info_val(in, k->n - 1).n <= len + in->icut);
	}
	for (int k = 0; k < 2; k++)
		for (i = 0; in->has_pat[k] && i < in->pat[k].n; i++) {
			FUZZ_CHECK(fuzz_inside(in->pat[k].refs[i].file, base, len));
			FUZZ_CHECK(fuzz_inside(in->pat[k].refs[i].desc, base, len));
		}
	for (i = 0; in->has_stat && i < in->stat.nrows; i++) {
		const struct hap_stat_row *r = &in->stat.rows[i];

		FUZZ_CHECK(fuzz_inside(hap_view_make(r->line, r->len), base, len));
	}
}

static void check_objects(struct hap_snapshot *s)
{
	struct hap_value *vals = malloc((s->nfields ? s->nfields : 1) * sizeof(*vals));
	size_t i, k, x;

	FUZZ_CHECK(vals != NULL);
	for (int t = 0; t < 3; t++) {
		for (i = 0; i < hap_snapshot_count(s, (enum hap_obj)t); i++) {
			const struct hap_object *o = hap_snapshot_object(s, (enum hap_obj)t, i);
			const struct snap_row *sr;

			FUZZ_CHECK(o && o->type == (enum hap_obj)t && o->n >= 1 && o->name);
			FUZZ_CHECK((t == HAP_OBJ_SERVER) == (o->backend != NULL));
			sr = &s->rows[o->first];
			FUZZ_CHECK(sr->inst < s->ninst && sr->line != NULL);
			/* every row is a line of its instance's reply, as kept */
			for (k = 0; k < o->n; k++)
				FUZZ_CHECK(fuzz_inside(hap_view_make(sr[k].line, sr[k].len),
				                       s->insts[sr[k].inst].reply.ptr,
				                       s->insts[sr[k].inst].reply.len));
			/* names holding a NUL byte cannot be asked for by name */
			if (!memchr(sr->line, '\0', sr->len))
				FUZZ_CHECK(hap_snapshot_find(s, (enum hap_obj)t, o->backend,
				                             o->name) == o);
			for (k = 0; k < o->n; k++) {
				FUZZ_CHECK(hap_object_instance(o, k) < s->ninst);
				FUZZ_CHECK(hap_object_values(vals, o, k) == 0);
			}
			FUZZ_CHECK(hap_object_values(vals, o, o->n) == HAP_EINVAL);
			FUZZ_CHECK(hap_object_values(vals, o, HAP_AGGREGATE) == 0);
			for (x = 0; x < s->nfields; x++) {
				FUZZ_CHECK(vals[x].kind <= HAP_VALUE_DISAGREE);
				if (vals[x].kind == HAP_VALUE_TEXT)
					FUZZ_CHECK(vals[x].text && vals[x].len > 0);
			}
			if (s->nfields)
				FUZZ_CHECK(hap_object_value(vals, o, HAP_AGGREGATE, s->fields[0]) ==
				           0);
		}
	}
	for (i = 0; i < s->ninfo; i++) {
		struct hap_value v;

		FUZZ_CHECK(hap_snapshot_info(&v, s, HAP_AGGREGATE, s->info_keys[i]) == 0);
		FUZZ_CHECK(v.kind <= HAP_VALUE_DISAGREE);
		for (k = 0; k < s->ninst; k++)
			FUZZ_CHECK(hap_snapshot_info(&v, s, k, s->info_keys[i]) == 0);
	}
	free(vals);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p, *end, *sep;
	struct hap_snapshot *s;
	unsigned what, excl;
	size_t n = 0, i;

	if (size < 2)
		return 0;
	what = data[0] & (HAP_SNAP_ALL | HAP_SNAP_ACLS | HAP_SNAP_MAPS);
	excl = data[1];
	p = (const char *)data + 2;
	end = (const char *)data + size;
	/* replies to changes are short: judging megabytes would only slow the rest */
	judge(p, (size_t)(end - p) < 2048 ? (size_t)(end - p) : 2048);

	s = calloc(1, sizeof(*s));
	FUZZ_CHECK(s != NULL);
	s->insts = calloc(MAXI, sizeof(*s->insts));
	s->targets = calloc(MAXI, sizeof(*s->targets));
	FUZZ_CHECK(s->insts && s->targets);
	s->what = what;
	while (n < MAXI) {
		struct snap_inst *in = &s->insts[n];
		size_t len;

		sep = n + 1 < MAXI ? find_sep(p, end) : NULL;
		len = sep ? (size_t)(sep - p) : (size_t)(end - p);
		/* the reply exactly as large as what was read, NUL-terminated like a hap_buf */
		in->reply.ptr = malloc(len + 1);
		FUZZ_CHECK(in->reply.ptr != NULL);
		if (len)
			memcpy(in->reply.ptr, p, len);
		in->reply.ptr[len] = '\0';
		in->reply.len = len;
		in->reply.cap = len + 1;
		in->name = "fuzz";
		if (excl & (1u << n))
			in->flags |= HAP_INST_EXCLUDED;
		s->ninst = ++n;
		in->s = s;
		hap_stat_feed_init(&in->feed);
		if ((excl & 0x10) && (what & HAP_SNAP_ALL)) {
			/* the first half as it arrives (the rows indexed then,
			 * the header maybe cut), the rest at the end: what a
			 * snapshot's exchange does */
			struct hap_job j;

			memset(&j, 0, sizeof(j));
			hap_buf_init(&j.reply, 0);
			FUZZ_CHECK(hap_buf_add(&j.reply, p, len / 2) == 0);
			snap_on_bytes(&j, in);
			FUZZ_CHECK(hap_buf_add(&j.reply, p + len / 2, len - len / 2) == 0);
			free(in->reply.ptr);
			in->reply = j.reply;
		}
		parse_inst(s, in, what);
		check_inst(in, what);
		if (!sep)
			break;
		p = sep + strlen(SEP);
	}
	hap_snap_identify(s);
	for (i = 0; i < s->ninst; i++)
		if (s->insts[i].flags & HAP_INST_DUPLICATE)
			FUZZ_CHECK(s->insts[i].dup_of < i);
	if (hap_snap_build_fields(s) == 0 && hap_snap_build_objects(s) == 0)
		check_objects(s);
	hap_snapshot_free(s);
	return 0;
}
