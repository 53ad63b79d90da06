/*
 * pattern.c - single ACL/map entries across a fleet: the reply tables of
 * every acl/map command, and the plans that add, set, delete or clear one
 * entry on every instance holding the file.
 *
 * Owns: how an ACL/map id becomes the file every instance is addressed by
 * (numeric ids are per instance: HAProxy numbers ACLs and maps together in
 * parse order) and the reply tables of every acl/map command.
 *
 * Must never: send "#N" to a fleet, or judge a reply it does not know as
 * success. The merged listing is model/patterns.c, the reads
 * pattern_read.c, the local file parser parse/patfile.c, the atomic
 * replace replace*.c.
 */
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/snapshot.h"
#include "ops/pattern.h"
#include "proto/command.h"
#include "util/banned.h"

/* ---- reply tables (HAProxy 2.6.12's texts, tests/data/2.6/) ---- */

#define END                                                                                        \
	{                                                                                          \
		HAP_M_END, NULL, HAP_V_REFUSED                                                     \
	}
/* "del acl" on an unknown ACL says "Unknown map identifier": both everywhere. */
#define UNKNOWN_ID                                                                                 \
	{ HAP_M_PREFIX, "Unknown ACL identifier.", HAP_V_NOTFOUND },                               \
	{                                                                                          \
		HAP_M_PREFIX, "Unknown map identifier.", HAP_V_NOTFOUND                            \
	}

/* Changes succeed silently. "Key not found." (del) and "entry not found."
 * (set) are refusals: the key was not there to change. */
static const struct hap_reply_rule change_rules[] = {
	{ HAP_M_EMPTY, NULL, HAP_V_APPLIED },
	UNKNOWN_ID,
	{ HAP_M_EXACT, "Key not found.", HAP_V_REFUSED },
	{ HAP_M_EXACT, "entry not found.", HAP_V_REFUSED },
	END,
};

/* "show acl|map FILE": entries, or a lone "\n" when there are none. */
static const struct hap_reply_rule show_rules[] = {
	{ HAP_M_EMPTY, NULL, HAP_V_APPLIED },
	{ HAP_M_PREFIX, "0x", HAP_V_APPLIED },
	UNKNOWN_ID,
	END,
};

/* "type=ip, case=sensitive, match=no", "type=str, ..., found=yes, ..." */
static const struct hap_reply_rule get_rules[] = {
	{ HAP_M_PREFIX, "type=", HAP_V_APPLIED },
	UNKNOWN_ID,
	END,
};

static const struct hap_reply_rule prepare_rules[] = {
	{ HAP_M_PREFIX, "New version created: ", HAP_V_APPLIED },
	UNKNOWN_ID,
	END,
};

/* HAProxy 2.6 lets every acl/map command through at level user (and so
 * prepare and commit): the tables follow what HAProxy allows. */
const struct hap_reply_table hap_op_show_acl = { "show acl", HAP_LEVEL_USER, show_rules };
const struct hap_reply_table hap_op_show_map = { "show map", HAP_LEVEL_USER, show_rules };
const struct hap_reply_table hap_op_get_acl = { "get acl", HAP_LEVEL_USER, get_rules };
const struct hap_reply_table hap_op_get_map = { "get map", HAP_LEVEL_USER, get_rules };
const struct hap_reply_table hap_op_add_acl = { "add acl", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_add_map = { "add map", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_set_map = { "set map", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_del_acl = { "del acl", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_del_map = { "del map", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_clear_acl = { "clear acl", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_clear_map = { "clear map", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_prepare_acl = { "prepare acl", HAP_LEVEL_USER, prepare_rules };
const struct hap_reply_table hap_op_prepare_map = { "prepare map", HAP_LEVEL_USER, prepare_rules };
const struct hap_reply_table hap_op_commit_acl = { "commit acl", HAP_LEVEL_USER, change_rules };
const struct hap_reply_table hap_op_commit_map = { "commit map", HAP_LEVEL_USER, change_rules };

/* ------------------------------------------------------------------ */
/* Single commands: validation and formatting                          */
/* ------------------------------------------------------------------ */

const char *const hap_pat_verb_words[] = { "show", "get", "add", "set", "del", "clear" };

/* "#0x" and 1..16 hex digits: an entry reference as "show acl|map" prints it. */
static int is_ref(const char *k)
{
	size_t n = strlen(k);

	return n > 3 && n <= 19 && memcmp(k, "#0x", 3) == 0 &&
	       strspn(k + 3, "0123456789abcdefABCDEF") == n - 3;
}

int hap_pattern_op_check(const struct hap_pattern_op *op, struct hap_error *err)
{
	int map = op->kind == HAP_PATTERN_MAP, need_key, need_value, ret;
	const char *keyname = map ? "map key" : "ACL pattern";

	if (op->kind != HAP_PATTERN_ACL && op->kind != HAP_PATTERN_MAP)
		return hap_error_set(err, HAP_EINVAL, "unknown pattern kind");
	if ((unsigned)op->verb > HAP_PATTERN_CLEAR)
		return hap_error_set(err, HAP_EINVAL, "unknown %s operation",
		                     hap_pat_kind_word(op->kind));
	if (!op->id)
		return hap_error_set(err, HAP_EINVAL, "an %s id is needed (a file, or #N)",
		                     hap_pat_kind_name(op->kind));
	ret = hap_cmd_check_value(map ? "map id" : "ACL id", op->id, err);
	if (ret)
		return ret;
	if (op->verb == HAP_PATTERN_SET && !map)
		return hap_error_set(err, HAP_EINVAL, "'set' is for maps only");
	need_key = op->verb == HAP_PATTERN_GET || op->verb == HAP_PATTERN_ADD ||
	           op->verb == HAP_PATTERN_SET || op->verb == HAP_PATTERN_DEL;
	need_value = map && (op->verb == HAP_PATTERN_ADD || op->verb == HAP_PATTERN_SET);
	if (need_key && !op->key)
		return hap_error_set(err, HAP_EINVAL, "%s %s: a %s is needed",
		                     hap_pat_verb_words[op->verb], hap_pat_kind_word(op->kind),
		                     op->verb == HAP_PATTERN_GET ? "value" : keyname);
	if (!need_key && op->key)
		return hap_error_set(err, HAP_EINVAL, "%s %s takes no key",
		                     hap_pat_verb_words[op->verb], hap_pat_kind_word(op->kind));
	if (need_value && !op->value)
		return hap_error_set(err, HAP_EINVAL, "%s map: a value is needed",
		                     hap_pat_verb_words[op->verb]);
	if (!need_value && op->value)
		return hap_error_set(err, HAP_EINVAL, "%s %s takes no value",
		                     hap_pat_verb_words[op->verb], hap_pat_kind_word(op->kind));
	if (op->key) {
		ret = hap_cmd_check_value(op->verb == HAP_PATTERN_GET ? "value" : keyname, op->key,
		                          err);
		if (ret)
			return ret;
		/* HAProxy reads "#..." in del/set as an entry reference */
		if ((op->verb == HAP_PATTERN_DEL || op->verb == HAP_PATTERN_SET) &&
		    op->key[0] == '#' && !is_ref(op->key))
			return hap_error_set(err, HAP_EINVAL,
			                     "'%s' is not an entry reference (#0x<hex> as 'show "
			                     "%s' prints it)",
			                     op->key, hap_pat_kind_word(op->kind));
	}
	if (op->value)
		return hap_cmd_check_value("map value", op->value, err);
	return 0;
}

/* "VERB acl|map FILE [KEY [VALUE]]" without '\n'. */
int hap_pat_format_cmd(struct hap_buf *b, const struct hap_pattern_op *op, const char *file,
                       struct hap_error *err)
{
	int ret;

	hap_buf_reset(b);
	ret = hap_cmd_add_raw(b, hap_pat_verb_words[op->verb]);
	if (!ret)
		ret = hap_cmd_add_raw(b, hap_pat_kind_word(op->kind));
	if (!ret)
		ret = hap_cmd_add_word(b, file);
	if (!ret && op->key)
		ret = hap_cmd_add_word(b, op->key);
	if (!ret && op->value)
		ret = hap_cmd_add_word(b, op->value);
	if (ret)
		return hap_error_set(err, ret, "formatting the command: %s", hap_strerror(ret));
	ret = hap_cmd_end(b, err);
	if (ret)
		return ret;
	b->ptr[--b->len] = '\0';
	return 0;
}

const struct hap_reply_table *hap_pat_table_of(enum hap_pattern_kind kind, enum hap_pattern_verb v)
{
	int map = kind == HAP_PATTERN_MAP;

	switch (v) {
	case HAP_PATTERN_SHOW:
		return map ? &hap_op_show_map : &hap_op_show_acl;
	case HAP_PATTERN_GET:
		return map ? &hap_op_get_map : &hap_op_get_acl;
	case HAP_PATTERN_ADD:
		return map ? &hap_op_add_map : &hap_op_add_acl;
	case HAP_PATTERN_SET:
		return &hap_op_set_map;
	case HAP_PATTERN_DEL:
		return map ? &hap_op_del_map : &hap_op_del_acl;
	case HAP_PATTERN_CLEAR:
		return map ? &hap_op_clear_map : &hap_op_clear_acl;
	}
	return &hap_op_add_acl;
}

/*
 * Read every instance, merge the listing and resolve the id: the common
 * start of a plan, a read and a replace. HAP_EIO when no instance answered.
 */
int hap_pat_resolve_fleet(struct hap_snapshot **snap, struct hap_patterns **pl, size_t *file,
                          struct hap_pattern_target *t, char **own, struct hap *h,
                          enum hap_pattern_kind kind, const char *id, struct hap_error *err)
{
	int ret;

	*snap = NULL;
	*pl = NULL;
	ret = hap_snapshot_new(snap, h, kind == HAP_PATTERN_MAP ? HAP_SNAP_MAPS : HAP_SNAP_ACLS,
	                       err);
	if (ret)
		return ret;
	ret = hap_snapshot_reachable(*snap, err);
	if (ret)
		return ret;
	ret = hap_patterns_new(pl, *snap, kind, err);
	if (!ret)
		ret = hap_patterns_resolve(t, *pl, id, err);
	if (!ret)
		ret = hap_patterns_find(*pl, t->file, file);
	if (ret)
		return ret;
	own[0] = strdup(t->file);
	own[1] = strdup(t->note);
	if (!own[0] || !own[1])
		return hap_error_set(err, HAP_ENOMEM, "out of memory");
	t->file = own[0];
	t->note = own[1];
	return 0;
}

int hap_pattern_plan(struct hap_plan **out, struct hap_pattern_target *target, struct hap *h,
                     const struct hap_pattern_op *op, struct hap_error *err)
{
	struct hap_pattern_target t;
	struct hap_patterns *pl = NULL;
	struct hap_plan *p = NULL;
	struct hap_buf cmd = HAP_BUF_INIT;
	size_t f = 0, k;
	int ret;

	*out = NULL;
	ret = hap_pattern_op_check(op, err);
	if (ret)
		return ret;
	if (op->verb == HAP_PATTERN_SHOW || op->verb == HAP_PATTERN_GET)
		return hap_error_set(err, HAP_EINVAL, "%s is a read: use hap_pattern_read_new()",
		                     hap_pat_verb_words[op->verb]);
	ret = hap_plan_alloc(&p, h, op->kind == HAP_PATTERN_MAP ? HAP_KIND_MAP : HAP_KIND_ACL, err);
	if (ret)
		return ret;
	ret = hap_pat_resolve_fleet(&p->snap, &pl, &f, &t, p->ptarget, h, op->kind, op->id, err);
	if (ret)
		goto out;
	if (target)
		*target = t;
	if (op->key && (op->verb == HAP_PATTERN_DEL || op->verb == HAP_PATTERN_SET) &&
	    is_ref(op->key) && t.holders != 1) {
		ret = hap_error_set(err, HAP_EINVAL,
		                    "%s is an entry of one instance's %s, and %zu instances load "
		                    "%s: narrow the fleet to the one it was listed on",
		                    op->key, hap_pat_kind_name(op->kind), t.holders, t.file);
		goto out;
	}
	ret = hap_pat_format_cmd(&cmd, op, t.file, err);
	if (ret)
		goto out;
	for (k = 0; k < hap_patterns_holder_count(pl, f); k++) {
		ret = hap_plan_add(p, hap_patterns_holder(pl, f, k)->instance, t.file, cmd.ptr,
		                   hap_pat_table_of(op->kind, op->verb));
		if (ret) {
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
			goto out;
		}
	}
	/* a clear on several instances asks first: each copy counts as an object */
	p->disruptive = op->verb == HAP_PATTERN_CLEAR;
	/* the read-back sees a restart, and reads the entries back when the
	 * listing can show the key exactly (no entry reference, no blank in a
	 * map key: "show map" separates key and value by the first blank) */
	if (hap_plan_verify(p, 0, NULL, NULL, "", HAP_VM_EXACT)) {
		ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
		goto out;
	}
	if (op->verb == HAP_PATTERN_CLEAR ||
	    (op->key && !is_ref(op->key) &&
	     !(op->kind == HAP_PATTERN_MAP && strpbrk(op->key, " \t")))) {
		p->pcheck = 1;
		p->pkind = op->kind;
		p->pverb = op->verb;
		p->pfile = strdup(t.file);
		p->pkey = op->key && op->verb != HAP_PATTERN_CLEAR ? strdup(op->key) : NULL;
		p->pvalue = op->value ? strdup(op->value) : NULL;
		if (!p->pfile || (op->key && op->verb != HAP_PATTERN_CLEAR && !p->pkey) ||
		    (op->value && !p->pvalue)) {
			ret = hap_error_set(err, HAP_ENOMEM, "out of memory");
			goto out;
		}
	}
	p->nobjects = op->verb == HAP_PATTERN_CLEAR ? p->n : 1;
out:
	hap_buf_release(&cmd);
	hap_patterns_free(pl);
	return hap_plan_done(out, p, ret);
}
