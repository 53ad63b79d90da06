/*
 * snapshot_int.h - the inside of a snapshot, shared by its builder
 * (snapshot.c), the merge of rows into objects (merge.c) and the
 * evaluation of values (aggregate.c). Nothing outside src/model/ includes it.
 */
#ifndef HAP_MODEL_SNAPSHOT_INT_H
#define HAP_MODEL_SNAPSHOT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "haproxyadmin.h"
#include "model/fleet.h"
#include "model/rules.h"
#include "parse/parse.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/hmap.h"

struct snap_inst {
	const char *name;
	int level;
	int err;
	const char *errmsg;
	unsigned flags;
	size_t dup_of;
	struct hap_buf reply;
	int has_info, has_stat, has_pat[2];
	int srvstate; /* the rows are "show servers state" (HAP_SNAP_SRVSTATE) */
	struct hap_info info;
	struct hap_stat stat;
	struct hap_pat_ref_list pat[2]; /* show acl, show map */
	int *colmap;                    /* field id -> column of this instance's header, or -1 */
};

/* A row of an object: the instance, and the CSV line itself (a view into
 * the instance's reply), so the parser's row index can be freed once merged. */
struct snap_row {
	const char *line;
	uint32_t len;
	uint32_t inst;
};

struct hap_object {
	struct hap_snapshot *s;
	enum hap_obj type;
	const char *name;
	const char *backend;
	size_t first, n; /* rows in s->rows */
};

struct hap_snapshot {
	struct hap_arena arena;
	struct hap_budget *budget;  /* the fleet's reply budget, charged with */
	size_t charged;             /* the bytes of the replies kept here */
	struct hap_target *targets; /* one per instance */
	unsigned opt_flags;
	size_t ninst;
	struct snap_inst *insts;
	/* show stat fields: union of every instance's columns */
	size_t nfields;
	const char **fields;
	struct hap_hmap field_map;
	enum hap_rule *rules[3]; /* per object type, per field */
	/* show info keys */
	size_t ninfo;
	const char **info_keys;
	struct hap_hmap info_map;
	/* objects */
	size_t nobjs;
	struct hap_object *objs; /* in first-seen order, indexed by obj_map */
	struct hap_hmap obj_map;
	const struct hap_object **sorted[3];
	size_t count[3];
	struct snap_row *rows;
	struct hap_result *status; /* one entry per instance (hap_snapshot_result) */
};

static inline int hap_snap_inst_counts(const struct snap_inst *in)
{
	return !in->err && !(in->flags & (HAP_INST_DUPLICATE | HAP_INST_EXCLUDED));
}

/* merge.c: duplicates marked, the union of fields, the rows merged into
 * objects (every instance parsed first). 0 or HAP_ENOMEM. */
void hap_snap_identify(struct hap_snapshot *s);
int hap_snap_build_fields(struct hap_snapshot *s);
int hap_snap_build_objects(struct hap_snapshot *s);

#endif
