/*
 * readback.c - the read-back of an applied plan: the objects read again,
 * and each entry judged by what is live now (applied, superseded by a
 * restart or another writer, normalised, not applied, or unknown).
 *
 * Must never: report applied without a read-back that shows the requested
 * value, or hide that an instance restarted during the change.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "model/fleet.h"
#include "model/snapshot.h"
#include "ops/ops.h"
#include "util/banned.h"

/* Instance of s (a re-read of the plan's fleet) that is instance inst of
 * the plan, named name: the same index when the name agrees, a name search
 * only when the fleet's instances moved; (size_t)-1 when s does not have it. */
static size_t find_inst(const struct hap_snapshot *s, size_t inst, const char *name)
{
	size_t i;

	if (s && inst < hap_snapshot_instance_count(s) &&
	    strcmp(hap_instance_name(s, inst), name) == 0)
		return inst;
	for (i = 0; s && i < hap_snapshot_instance_count(s); i++)
		if (strcmp(hap_instance_name(s, i), name) == 0)
			return i;
	return (size_t)-1;
}

/* The value of field on instance i for object ("backend/server" or a
 * proxy) as text in out; 0 when the object is there. */
static int value_text(char *out, size_t len, const struct hap_snapshot *s, unsigned mask,
                      const char *object, size_t inst, const char *field)
{
	char buf[600];
	const struct hap_object *o = NULL;
	struct hap_value v;
	char *slash;
	size_t k;

	*out = '\0';
	if (mask == 0) {
		/* a process-wide setting: the instance's own "show info" */
		if (hap_snapshot_info(&v, s, inst, field))
			return -1;
		if (v.kind == HAP_VALUE_NUMBER)
			snprintf(out, len, "%lld", (long long)v.num);
		else if (v.kind == HAP_VALUE_TEXT)
			snprintf(out, len, "%.*s", (int)v.len, v.text);
		else
			return -1;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", object);
	slash = strchr(buf, '/');
	if ((mask & HAP_SNAP_SERVERS) && slash) {
		*slash = '\0';
		o = hap_snapshot_find(s, HAP_OBJ_SERVER, buf, slash + 1);
	} else if (mask & HAP_SNAP_FRONTENDS) {
		o = hap_snapshot_find(s, HAP_OBJ_FRONTEND, NULL, buf);
	} else if (mask & HAP_SNAP_BACKENDS) {
		o = hap_snapshot_find(s, HAP_OBJ_BACKEND, NULL, buf);
	}
	if (!o)
		return -1;
	for (k = 0; k < hap_object_instance_count(o); k++) {
		if (hap_object_instance(o, k) != inst)
			continue;
		if (hap_object_value(&v, o, k, field))
			return -1;
		if (v.kind == HAP_VALUE_NUMBER)
			snprintf(out, len, "%lld", (long long)v.num);
		else if (v.kind == HAP_VALUE_TEXT)
			snprintf(out, len, "%.*s", (int)v.len, v.text);
		return 0;
	}
	return -1;
}

/* 1 when got starts with one of the '|'-separated words of list. */
static int word_prefix(const char *got, const char *list)
{
	while (*list) {
		size_t l = strcspn(list, "|");

		if (l && strncmp(got, list, l) == 0)
			return 1;
		list += l;
		if (*list == '|')
			list++;
	}
	return 0;
}

/* The requested value, in words, for a message. */
static const char *want_words(const struct hap_plan *p, char *buf, size_t len)
{
	switch (p->vmode) {
	case HAP_VM_NONE_OF:
		snprintf(buf, len, "not %s", p->vwant);
		return buf;
	case HAP_VM_ANY_OF:
		snprintf(buf, len, "%s", p->vwant);
		return buf;
	case HAP_VM_SHOWN:
		return "shown (the check running)";
	case HAP_VM_HIDDEN:
		return "empty (the check stopped)";
	}
	return p->vwant;
}

static int value_matches(const struct hap_plan *p, const char *got)
{
	size_t n = strlen(p->vwant);

	switch (p->vmode) {
	case HAP_VM_PCT:
		/* a percentage of the configured weight: 0 only for 0% */
		return strcmp(p->vwant, "0%") == 0 ? strcmp(got, "0") == 0
		                                   : *got && strcmp(got, "0") != 0;
	case HAP_VM_PREFIX:
		return strncmp(got, p->vwant, n) == 0;
	case HAP_VM_ANY_OF:
		return *got && word_prefix(got, p->vwant);
	case HAP_VM_NONE_OF:
		return *got && !word_prefix(got, p->vwant);
	case HAP_VM_SHOWN:
		return *got != '\0';
	case HAP_VM_HIDDEN:
		return *got == '\0';
	}
	if (strcmp(p->vwant, "0") == 0 && *got == '\0')
		return 1; /* "slim" of 0 is an empty field */
	return strcmp(got, p->vwant) == 0;
}

/* name is a master's worker ("ENDPOINT @!PID") and another worker of that
 * master answered in s: the master is there, the worker is gone. */
static int master_answered(const struct hap_snapshot *s, const char *name)
{
	const char *at = strstr(name, " @!");
	size_t i, n;

	if (!s || !at)
		return 0;
	n = (size_t)(at - name) + 3;
	for (i = 0; i < hap_snapshot_instance_count(s); i++)
		if (strncmp(hap_instance_name(s, i), name, n) == 0 &&
		    !hap_snapshot_inst_status(s, i, NULL))
			return 1;
	return 0;
}

static int64_t info_num(const struct hap_snapshot *s, size_t i, const char *key)
{
	struct hap_value v;

	if (hap_snapshot_info(&v, s, i, key) || v.kind != HAP_VALUE_NUMBER)
		return -1;
	return v.num;
}

/*
 * A map/ACL entry change against the entries read back from instance name:
 * 1 the change is there, 0 it is not (what says what is there), -1 the
 * entries could not be read.
 */
static int pattern_holds(const struct hap_plan *p, const struct hap_pattern_read *rd, size_t inst,
                         const char *name, char *what, size_t wlen)
{
	const struct hap_result *res = rd ? hap_pattern_read_result(rd) : NULL;
	size_t i, e, n, with_key = 0, with_value = 0, nr = hap_result_count(res);
	const char *other = NULL;

	/* the read's entries are in instance order, one per instance read:
	 * entry i is at most instance inst; search down from there */
	for (i = inst < nr ? inst + 1 : nr; i-- > 0;)
		if (hap_result_instance_index(res, i) <= inst)
			break;
	if (i == (size_t)-1 || hap_result_instance_index(res, i) != inst ||
	    strcmp(hap_result_instance(res, i), name) != 0)
		for (i = 0; i < nr; i++)
			if (strcmp(hap_result_instance(res, i), name) == 0)
				break;
	if (i >= nr || hap_result_code(res, i))
		return -1;
	n = hap_pattern_read_entry_count(rd, i);
	if (p->pverb == HAP_PATTERN_CLEAR) {
		snprintf(what, wlen, "%zu entries left", n);
		return n == 0;
	}
	for (e = 0; e < n; e++) {
		struct hap_pattern_entry en;

		if (hap_pattern_read_entry(&en, rd, i, e) || strcmp(en.key, p->pkey) != 0)
			continue;
		with_key++;
		if (p->pkind == HAP_PATTERN_ACL || (p->pvalue && strcmp(en.value, p->pvalue) == 0))
			with_value++;
		else
			other = en.value;
	}
	switch (p->pverb) {
	case HAP_PATTERN_DEL:
		snprintf(what, wlen, "%zu entries with that key", with_key);
		return with_key == 0;
	case HAP_PATTERN_SET:
		snprintf(what, wlen, "the key holds %s", other ? other : "no entry");
		return with_key > 0 && with_value == with_key;
	default:
		snprintf(what, wlen, "%s", other ? "the key holds another value" : "no such entry");
		return with_value > 0;
	}
}

/*
 * Read the objects back and replace each sent entry's outcome by what is
 * there: applied when the field shows the requested value, else why not.
 */
/* What a read-back judges an entry by. */
struct vctx {
	const struct hap_plan *p;
	struct hap_result *r;
	struct hap_snapshot *after;        /* the re-read, NULL when it failed */
	const struct hap_pattern_read *rd; /* the entries read back, for an ACL/map change */
	const char *amsg;                  /* why the re-read failed */
};

/* "MESSAGE; " or "": what HAProxy said, before what the read-back adds. */
#define SEP_MSG(r, i) hap_result_message(r, i), *hap_result_message(r, i) ? "; " : ""

/* An ACL/map entry change: the entries read back hold it, or not. */
static int judge_pattern(const struct vctx *c, size_t i, int oc, const char *name)
{
	struct hap_result *r = c->r;
	char what[300], msg[900];
	int hold = pattern_holds(c->p, c->rd, c->p->e[i].inst, name, what, sizeof(what));

	if (hold == 1)
		return hap_result_judged(r, i, 0, HAP_OUT_APPLIED, HAP_WHY_NONE, NULL,
		                         oc == HAP_OUT_UNKNOWN ? "no complete reply; "
		                                                 "read back: applied"
		                                               : NULL);
	if (hold == 0) {
		snprintf(msg, sizeof(msg), "%s%sread back: %s", SEP_MSG(r, i), what);
		return oc == HAP_OUT_UNKNOWN
		               ? hap_result_judged(r, i, HAP_ERROR, HAP_OUT_ERROR,
		                                   HAP_WHY_NOT_APPLIED, NULL, msg)
		               : hap_result_judged(r, i, HAP_ESUPERSEDED, HAP_OUT_SUPERSEDED,
		                                   HAP_WHY_CHANGED, NULL, msg);
	}
	snprintf(msg, sizeof(msg), "%s%scould not read the entries back", SEP_MSG(r, i));
	return hap_result_judged(r, i, oc == HAP_OUT_SENT ? 0 : HAP_EUNKNOWN,
	                         oc == HAP_OUT_SENT ? HAP_OUT_SENT : HAP_OUT_UNKNOWN, HAP_WHY_NONE,
	                         NULL, msg);
}

/* Nothing to compare: never applied; sent when accepted, unknown when the
 * reply was not complete or the instance restarted. */
static int judge_nothing(const struct vctx *c, size_t i, int oc, int restarted)
{
	if (restarted)
		return hap_result_judged(c->r, i, HAP_EUNKNOWN, HAP_OUT_UNKNOWN, HAP_WHY_RESTARTED,
		                         NULL,
		                         "the instance restarted during the change "
		                         "(new Pid or Start_time_sec): the change "
		                         "may not be live");
	(void)oc; /* accepted: it stays SENT; no complete reply: UNKNOWN */
	return 0;
}

/* The value read back (got) is not the one requested: why, in msg. */
static int judge_mismatch(const struct vctx *c, size_t i, int oc, size_t j, int restarted,
                          const char *got)
{
	const struct hap_plan *p = c->p;
	const struct hap_plan_entry *e = &p->e[i];
	struct hap_result *r = c->r;
	char was[256], msg[900];
	int why;

	if (value_text(was, sizeof(was), p->snap, p->vmask, e->object, e->inst, p->vfield))
		was[0] = '\0';
	if (restarted) {
		why = HAP_WHY_RESTARTED;
		snprintf(msg, sizeof(msg),
		         "not applied: the instance restarted during the change (pid %lld, "
		         "now %lld); %s is %s",
		         (long long)info_num(p->snap, e->inst, "Pid"),
		         (long long)info_num(c->after, j, "Pid"), p->vfield, got);
	} else if (oc == HAP_OUT_SENT && p->vmode == HAP_VM_PCT && strcmp(got, "0") == 0) {
		why = HAP_WHY_NORMALISED;
		snprintf(msg, sizeof(msg),
		         "accepted, but HAProxy normalised %s of the configured weight to "
		         "%s (the server takes no traffic)",
		         p->vwant, got);
	} else if (strcmp(got, was) == 0) {
		why = oc == HAP_OUT_UNKNOWN ? HAP_WHY_NOT_APPLIED : HAP_WHY_CHANGED;
		snprintf(msg, sizeof(msg), "%s; read back: %s is still %s",
		         hap_result_message(r, i), p->vfield, got);
	} else {
		char ww[96];

		why = HAP_WHY_CHANGED;
		snprintf(msg, sizeof(msg),
		         "%s; read back: %s is %s, not %s (changed by someone else)",
		         hap_result_message(r, i), p->vfield, got, want_words(p, ww, sizeof(ww)));
	}
	if (why == HAP_WHY_NORMALISED)
		return hap_result_judged(r, i, HAP_EPARTIAL, HAP_OUT_PARTIAL, why, got, msg);
	if (why == HAP_WHY_NOT_APPLIED)
		return hap_result_judged(r, i, HAP_ERROR, HAP_OUT_ERROR, why, got, msg);
	return hap_result_judged(r, i, HAP_ESUPERSEDED, HAP_OUT_SUPERSEDED, why, got, msg);
}

/* The value read back (got, when have) compared with the requested one;
 * j and restarted: the instance in the re-read (only read when restarted). */
static int judge_got(const struct vctx *c, size_t i, int oc, size_t j, int restarted, int have,
                     const char *got)
{
	const struct hap_plan *p = c->p;
	const struct hap_plan_entry *e = &p->e[i];
	struct hap_result *r = c->r;
	char msg[900];

	if (have && value_matches(p, got)) {
		/* live on the process there now; say so when it restarted */
		if (restarted)
			snprintf(msg, sizeof(msg),
			         "restarted during the change (pid %lld, now %lld): the new "
			         "process holds the requested value",
			         (long long)info_num(p->snap, e->inst, "Pid"),
			         (long long)info_num(c->after, j, "Pid"));
		return hap_result_judged(r, i, 0, HAP_OUT_APPLIED,
		                         restarted ? HAP_WHY_RESTARTED : HAP_WHY_NONE, got,
		                         restarted               ? msg
		                         : oc == HAP_OUT_UNKNOWN ? "no complete reply; "
		                                                   "read back: applied"
		                                                 : NULL);
	}
	if (!have) {
		snprintf(msg, sizeof(msg), "%s; read back: the object is gone%s",
		         hap_result_message(r, i), restarted ? " (the instance restarted)" : "");
		return hap_result_judged(r, i, HAP_ESUPERSEDED, HAP_OUT_SUPERSEDED,
		                         restarted ? HAP_WHY_RESTARTED : HAP_WHY_CHANGED, NULL,
		                         msg);
	}
	return judge_mismatch(c, i, oc, j, restarted, got);
}

/* A field compared with the requested value on instance j of the re-read. */
static int judge_value(const struct vctx *c, size_t i, int oc, size_t j, int restarted)
{
	const struct hap_plan *p = c->p;
	const struct hap_plan_entry *e = &p->e[i];
	char got[256];
	int have = value_text(got, sizeof(got), c->after, p->vmask, e->object, j, p->vfield) == 0;

	return judge_got(c, i, oc, j, restarted, have, got);
}

/* Entry i, judged by the read-back. */
static int verify_one(const struct vctx *c, size_t i)
{
	const struct hap_plan *p = c->p;
	const struct hap_plan_entry *e = &p->e[i];
	struct hap_result *r = c->r;
	int oc = hap_result_outcome(r, i);
	const char *name = hap_instance_name(p->snap, e->inst);
	size_t j = c->after ? find_inst(c->after, e->inst, name) : (size_t)-1;
	const char *amsg = c->amsg;
	char msg[900];
	int restarted;

	/* only what was accepted (SENT) or may have run (UNKNOWN) is read back */
	if (oc != HAP_OUT_SENT && oc != HAP_OUT_UNKNOWN)
		return 0;
	if (j == (size_t)-1 && master_answered(c->after, name)) {
		/* a master's worker that is gone: the master reloaded */
		snprintf(msg, sizeof(msg),
		         "%s%sread back: the worker is gone (the master reloaded): the "
		         "change is not live",
		         SEP_MSG(r, i));
		return hap_result_judged(r, i, HAP_ESUPERSEDED, HAP_OUT_SUPERSEDED,
		                         HAP_WHY_RESTARTED, NULL, msg);
	}
	if (j == (size_t)-1 || hap_snapshot_inst_status(c->after, j, &amsg)) {
		snprintf(msg, sizeof(msg), "%s; could not read back: %s", hap_result_message(r, i),
		         amsg);
		return hap_result_judged(r, i, oc == HAP_OUT_SENT ? 0 : HAP_EUNKNOWN,
		                         oc == HAP_OUT_SENT ? HAP_OUT_SENT : HAP_OUT_UNKNOWN,
		                         HAP_WHY_NONE, NULL, msg);
	}
	restarted = ((hap_instance_flags(c->after, j) & HAP_INST_OLD_WORKER) &&
	             !(hap_instance_flags(p->snap, e->inst) & HAP_INST_OLD_WORKER)) ||
	            info_num(p->snap, e->inst, "Pid") != info_num(c->after, j, "Pid") ||
	            info_num(p->snap, e->inst, "Start_time_sec") !=
	                    info_num(c->after, j, "Start_time_sec");
	if (!p->vfield && p->pcheck && !restarted)
		return judge_pattern(c, i, oc, name);
	if (!p->vfield)
		return judge_nothing(c, i, oc, restarted);
	return judge_value(c, i, oc, j, restarted);
}

/* ---------------------------------------------------------------- in the session */

/* Neither a write nor a read of this table is judged by it: the read-back
 * reads the replies itself (any level may read a weight). */
static const struct hap_reply_rule inline_rules[] = {
	{ HAP_M_END, NULL, HAP_V_REFUSED },
};
static const struct hap_reply_table inline_read = { "read back", HAP_LEVEL_USER, inline_rules };

/* Entry i can be read back in its session: a weight change ("get weight"
 * answers the same uweight "show servers state" shows), sent on a worker
 * socket of its own (a master's worker keeps the snapshot read-back). */
static int inline_ok(const struct hap_plan *p, const struct hap_target *t, size_t i)
{
	const struct hap_plan_entry *e = &p->e[i];

	return p->verify && p->vfield && strcmp(p->vfield, "uweight") == 0 && !p->pcheck &&
	       (p->vmask & HAP_SNAP_SERVERS) && !e->skip_code && !t->err && !t->prefix[0] &&
	       e->backend && !strchr(e->command, '\n');
}

int hap_readback_inline_add(struct hap_inline *il, const struct hap_plan *p,
                            const struct hap_target *ts, struct hap_call *calls, size_t *n)
{
	const struct hap *h = p->h;
	size_t i, k, *off, first = *n;
	size_t *inst_info;
	size_t ninst = hap_snapshot_instance_count(p->snap);

	memset(il, 0, sizeof(*il));
	hap_buf_init(&il->text, 0);
	il->get = malloc((p->n ? p->n : 1) * sizeof(*il->get));
	il->info = malloc((p->n ? p->n : 1) * sizeof(*il->info));
	off = malloc((p->n + ninst + 1) * sizeof(*off));
	inst_info = malloc((ninst ? ninst : 1) * sizeof(*inst_info));
	if (!il->get || !il->info || !off || !inst_info)
		goto oom;
	for (i = 0; i < ninst; i++)
		inst_info[i] = HAP_INLINE_NONE;
	for (i = 0; i < p->n; i++) {
		const struct hap_plan_entry *e = &p->e[i];

		il->get[i] = il->info[i] = HAP_INLINE_NONE;
		if ((h->opts.flags & HAP_OPT_NO_VERIFY) || !inline_ok(p, &ts[calls[i].target], i))
			continue;
		/* the write's own read-back line, after its session's writes */
		off[i] = il->text.len;
		if (hap_buf_adds(&il->text, "get weight ") || hap_buf_adds(&il->text, e->object) ||
		    hap_buf_adds(&il->text, "\n") || hap_buf_addc(&il->text, 0))
			goto oom;
		il->get[i] = i;
		if (inst_info[e->inst] == HAP_INLINE_NONE)
			inst_info[e->inst] = i; /* the instance's first entry, for now */
	}
	/* one "show info" per instance, after its reads: the same process */
	for (k = 0; k < ninst; k++) {
		if (inst_info[k] == HAP_INLINE_NONE)
			continue;
		off[p->n + *n - first] = il->text.len;
		if (hap_buf_adds(&il->text, "show info\n") || hap_buf_addc(&il->text, 0))
			goto oom;
		memset(&calls[*n], 0, sizeof(calls[*n]));
		calls[*n].target = calls[inst_info[k]].target;
		calls[*n].judge = &inline_read;
		inst_info[k] = (*n)++;
	}
	for (i = 0; i < p->n; i++)
		if (il->get[i] != HAP_INLINE_NONE)
			il->info[i] = inst_info[p->e[i].inst];
	/* the lines, now that the text no longer moves */
	for (i = 0; i < p->n; i++)
		if (il->get[i] != HAP_INLINE_NONE)
			calls[i].rb = il->text.ptr + off[i];
	for (k = first; k < *n; k++)
		calls[k].cmds = il->text.ptr + off[p->n + k - first];
	il->calls = calls;
	free(off);
	free(inst_info);
	return 0;
oom:
	free(off);
	free(inst_info);
	hap_readback_inline_release(il);
	return HAP_ENOMEM;
}

void hap_readback_inline_release(struct hap_inline *il)
{
	free(il->get);
	free(il->info);
	il->get = il->info = NULL;
	hap_buf_release(&il->text);
}

/* The number after "KEY: " at a line start of a "show info" reply, or -1. */
static int64_t info_line(const struct hap_call *c, const char *key)
{
	const char *p = c->out.reply.ptr, *end = p + c->out.reply.len;
	size_t kl = strlen(key);
	int64_t v = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			nl = end;
		if ((size_t)(nl - p) > kl + 2 && memcmp(p, key, kl) == 0 && p[kl] == ':' &&
		    p[kl + 1] == ' ') {
			const char *q = p + kl + 2;

			if (q == nl)
				return -1;
			for (; q < nl; q++) {
				if (*q < '0' || *q > '9' || v > (INT64_MAX - 9) / 10)
					return -1;
				v = v * 10 + (*q - '0');
			}
			return v;
		}
		p = nl + 1;
	}
	return -1;
}

/* A complete reply on the session. */
static int answered(const struct hap_call *c)
{
	return c->out.err == 0 && c->out.reply.len > 0;
}

/* An instance's session "show info", read once: the process it met. */
struct inline_proc {
	int read;
	int64_t pid, start; /* what the session met */
	int same;           /* the process the plan read */
};

/*
 * Entry i judged by the replies of its session: 1 settled, 0 left to the
 * snapshot read-back (no complete reply, another process than the plan
 * read, a reply not understood), or HAP_ENOMEM.
 */
static int inline_one(const struct vctx *c, const struct hap_inline *il, struct inline_proc *pr,
                      size_t i)
{
	const struct hap_plan *p = c->p;
	const struct hap_plan_entry *e = &p->e[i];
	const struct hap_call *gc, *ic;
	int oc = hap_result_outcome(c->r, i);
	const char *rep;
	char got[32];
	size_t len, k;
	int ret;

	/* only what was accepted (SENT) or may have run (UNKNOWN) is read back */
	if (oc != HAP_OUT_SENT && oc != HAP_OUT_UNKNOWN)
		return 1; /* nothing to read back: the reply said it */
	if (!il || il->get[i] == HAP_INLINE_NONE)
		return 0;
	gc = &il->calls[il->get[i]];
	ic = &il->calls[il->info[i]];
	if (!gc->rb_reply || !answered(ic))
		return 0;
	/* the writes met the process the plan read: else the snapshot
	 * read-back says how it restarted */
	pr = &pr[e->inst];
	if (!pr->read) {
		pr->pid = info_line(ic, "Pid");
		pr->start = info_line(ic, "Start_time_sec");
		pr->same = !(pr->pid < 0 || pr->pid != info_num(p->snap, e->inst, "Pid") ||
		             pr->start != info_num(p->snap, e->inst, "Start_time_sec"));
		pr->read = 1;
	}
	if (!pr->same)
		return 0;
	rep = gc->rb_reply;
	len = gc->rb_len;
	while (len && (rep[len - 1] == '\n' || rep[len - 1] == '\r'))
		len--;
	/* "50 (initial 100)": the user weight */
	for (k = 0; k < len && k + 1 < sizeof(got) && rep[k] >= '0' && rep[k] <= '9'; k++)
		got[k] = rep[k];
	got[k] = '\0';
	if (k > 0 && k < len && rep[k] == ' ')
		ret = judge_got(c, i, oc, 0, 0, 1, got);
	else if ((len == 15 && memcmp(rep, "No such server.", 15) == 0) ||
	         (len == 16 && memcmp(rep, "No such backend.", 16) == 0))
		ret = judge_got(c, i, oc, 0, 0, 0, NULL);
	else
		return 0;
	return ret ? ret : 1;
}

int hap_plan_readback(const struct hap_plan *p, struct hap_result *r, const struct hap_inline *il)
{
	struct hap *h = p->h;
	struct hap_snapshot *after = NULL;
	struct hap_pattern_read *rd = NULL;
	struct hap_error e2 = { 0, "" };
	size_t i, left = 0, ninst = hap_snapshot_instance_count(p->snap);
	struct inline_proc *pr;
	unsigned char *done;
	struct vctx c;
	int ret = 0;

	done = calloc(p->n ? p->n : 1, 1);
	pr = calloc(ninst ? ninst : 1, sizeof(*pr));
	if (!done || !pr) {
		free(done);
		free(pr);
		return HAP_ENOMEM;
	}
	c.p = p;
	c.r = r;
	c.after = NULL;
	c.rd = NULL;
	c.amsg = "";
	/* first what the sessions read back themselves */
	for (i = 0; i < p->n; i++) {
		ret = inline_one(&c, il, pr, i);
		if (ret < 0)
			goto out;
		done[i] = (unsigned char)ret;
		left += !ret;
	}
	ret = 0;
	if (!left)
		goto out;
	ret = hap_snapshot_new_proxy(&after, h, p->vmask, p->vproxy, &e2);
	if (ret == HAP_ENOMEM)
		goto out;
	if (p->pcheck) {
		struct hap_pattern_op rop = { (enum hap_pattern_kind)p->pkind, HAP_PATTERN_SHOW,
			                      p->pfile, NULL, NULL };
		struct hap_error e3 = { 0, "" };

		if (hap_pattern_read_new(&rd, h, &rop, &e3) == HAP_ENOMEM) {
			ret = HAP_ENOMEM;
			goto out;
		}
	}
	c.after = after;
	c.rd = rd;
	c.amsg = e2.msg;
	for (i = 0, ret = 0; !ret && i < p->n; i++)
		if (!done[i])
			ret = verify_one(&c, i);
out:
	free(done);
	free(pr);
	hap_pattern_read_free(rd);
	hap_snapshot_free(after);
	return ret;
}
