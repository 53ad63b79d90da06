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
#include "model/snapshot.h"
#include "model/rules.h"
#include "parse/parse.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/hmap.h"

/* A row on its way to its object: where its line is in the instance's
 * reply, as an offset (the reply may still move while it arrives). */
struct snap_trow {
	uint32_t off, obj;
	uint32_t len : 31;
	uint32_t quoted : 1; /* the line holds a '"' */
};

/* The parts before the rows (level, info, listings) are found within
 * this many bytes, or the rows are not indexed (filtered) as they arrive. */
#define SNAP_INC_HEAD_MAX ((size_t)1 << 20)

/* How an instance's rows are indexed as its reply arrives (snap_on_bytes). */
enum snap_inc {
	SNAP_INC_WAIT = 0, /* the parts before the rows are not whole yet */
	SNAP_INC_ROWS,     /* rows indexed and merged up to feed.pos */
	SNAP_INC_OFF,      /* not this way: the whole reply is parsed at the end */
};

/* A "show stat" header line's columns, shared by every instance that sent
 * the same one (all of them, in a fleet of one version): the instances
 * keep no column names of their own. */
struct snap_hdr {
	uint64_t hash;
	size_t ncols;
	struct hap_view *cols; /* copies in the snapshot's arena */
	struct hap_view raw;   /* the line's bytes (a copy), when known */
	int srvstate;
	int registered;            /* its names are fields already (build_fields) */
	int *colmap;               /* field id -> column, or -1 */
	struct hap_stat_hint hint; /* raw and cols, for the feeds (raw known) */
};

/* A "show info" reply's keys, in reply order, shared by every instance
 * that sent the same ones (all of them, in a fleet of one version): an
 * instance keeps its values only (snapinfo.c). */
struct snap_ikeys {
	size_t n;
	struct hap_view *keys; /* copies in the snapshot's arena */
	int registered;        /* its keys are info keys already (build_fields) */
};

struct snap_inst {
	struct hap_snapshot *s;
	const char *name;
	int level;
	int err;
	const char *errmsg;
	unsigned flags;
	size_t dup_of;
	struct hap_buf reply;
	int has_info, has_stat, has_pat[2];
	int srvstate; /* the rows are "show servers state" (HAP_SNAP_SRVSTATE) */
	/* "show info": its keys s->ikeys[ikeys], its values in ival (arena):
	 * n + 1 offsets, then the values' bytes (hap_snap_info_val) */
	size_t ikeys;
	uint16_t *ival;
	int info_taken; /* parsed as it arrived, its text cut from the reply */
	size_t icut;    /* the bytes of that text cut (less its blank line) */
	struct hap_stat stat;
	struct hap_pat_ref_list pat[2]; /* show acl, show map */
	size_t hdr;                     /* its header in s->hdrs (has_stat) */
	const int *colmap;              /* its header's column map (s->hdrs) */
	enum snap_inc inc;
	size_t inc_rest; /* where the rows start in the reply */
	struct hap_stat_feed feed;
	struct snap_trow *tr; /* the rows merged so far, in reply order */
	size_t ntr, trcap;
	size_t next_obj; /* the object after this instance's last row's */
	/* the header line's bytes, cut from the reply as it arrived (its
	 * columns shared first), and what the feed said if it failed after */
	size_t cut;
	int feed_err;
	const char *feed_errmsg;
	/* a filtered "show servers state" read (srvkeep.c) */
	int kstage;  /* where the filter is in the reply */
	int kcol[2]; /* the columns of be_name and srv_name */
	size_t kpos; /* the first line not looked at yet */
};

/* A row of an object: the instance, and the CSV line itself (a view into
 * the instance's reply), so the parser's row index can be freed once merged. */
struct snap_row {
	const char *line;
	uint32_t len : 31;
	uint32_t quoted : 1; /* the line holds a '"': split it field by field */
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
	struct snap_hdr *hdrs; /* the distinct header lines */
	size_t nhdrs, hdrcap;
	size_t hint_hdr; /* 1 + the header whose hint the feeds get, or 0 */
	/* the column and row arrays lent to the feed parsing now (one pair
	 * for every instance: nothing per instance to free and leave holes) */
	struct hap_view *lend_cols;
	struct hap_stat_row *lend_rows;
	size_t lend_colcap, lend_rowcap;
	enum hap_rule *rules[3]; /* per object type, per field */
	/* the distinct "show info" key lists (snapinfo.c) */
	struct snap_ikeys *ikeys;
	size_t nikeys, ikeycap;
	size_t ilast;              /* the list the last instance parsed had (nikeys > 0) */
	struct hap_view *iscratch; /* keys and values of the text parsed now */
	size_t iscap;
	char *ivtmp; /* its values block, built before its copy to the arena */
	size_t ivcap;
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
	unsigned what;         /* what the request asked */
	size_t objcap;         /* allocated objs */
	int merge_err;         /* HAP_ENOMEM while merging rows as they arrived */
	hap_snap_keep_fn keep; /* a filtered "show servers state" read, or NULL */
	void *keep_arg;
	struct hap_result *status; /* one entry per instance (hap_snapshot_result) */
};

static inline int hap_snap_inst_counts(const struct snap_inst *in)
{
	return !in->err && !(in->flags & (HAP_INST_DUPLICATE | HAP_INST_EXCLUDED));
}

/* snapinfo.c: the "show info" text[0, len) of instance in parsed, its
 * keys shared (s->ikeys), its values copied: 0 or an error set in err
 * (the words of hap_info_parse). The text is not referenced after. */
int hap_snap_info_take(struct hap_snapshot *s, struct snap_inst *in, const char *text, size_t len,
                       struct hap_error *err);
/* The local index of key in key list k (the first one), or k->n. */
size_t hap_snap_ikey_find(const struct snap_ikeys *k, const char *key);
/* Value li (< its key list's n) of instance in. */
static inline struct hap_view hap_snap_info_val(const struct snap_inst *in, size_t li)
{
	const struct snap_ikeys *k = &in->s->ikeys[in->ikeys];
	const char *vals = (const char *)(in->ival + k->n + 1);

	return hap_view_make(vals + in->ival[li], (size_t)(in->ival[li + 1] - in->ival[li]));
}
/* Key of instance in's info into *out: 1, or 0 when absent (or no info). */
int hap_snap_info_get(const struct snap_inst *in, const char *key, struct hap_view *out);
/* The key lists' memory (hap_snapshot_free). */
void hap_snap_info_release(struct hap_snapshot *s);

/* merge.c: duplicates marked, the union of fields, the rows merged into
 * objects (every instance parsed first). 0 or HAP_ENOMEM. */
void hap_snap_identify(struct hap_snapshot *s);
int hap_snap_build_fields(struct hap_snapshot *s);
int hap_snap_build_objects(struct hap_snapshot *s);
/* Rows merged: the columns of in->stat into their shared header (in->hdr),
 * found by the header line's bytes raw when known (else raw.n is 0); out
 * of memory, in has no stat and s->merge_err is set. */
void hap_snap_share_header(struct hap_snapshot *s, struct snap_inst *in, struct hap_view raw);
/* Rows indexed as they arrive given up: the whole reply is parsed at the
 * end (or the instance failed). */
void hap_snap_inc_off(struct snap_inst *in);
/* The rows of reply[0, len) past what instance in's feed indexed, into
 * their objects; a header read for the first time (not final) is shared at
 * once. */
void hap_snap_inc_feed(struct hap_snapshot *s, struct snap_inst *in, const char *reply, size_t len,
                       int final);
/* The snapshot's column and row arrays lent to instance in's feed for one
 * hap_stat_feed() call (its columns are read on the final one), and given
 * back. */
void hap_snap_feed_lend(struct hap_snapshot *s, struct snap_inst *in);
void hap_snap_feed_return(struct hap_snapshot *s, struct snap_inst *in);
/* The header line at h0 in instance in's reply (its columns shared, its
 * rows merged) cut out of the reply kept, unless views other than the
 * info index and the rows point past it. */
void hap_snap_drop_header(struct snap_inst *in, size_t h0);
/* Instance in's header line, its columns just shared (in->cut 0), cut
 * from b, the reply still arriving: the rows on their way and the feed's
 * offsets follow; the feed reads no column again. */
void hap_snap_cut_header(struct snap_inst *in, struct hap_buf *b);
/* rows[0, n) of instance in (views into base, its reply as it is now)
 * into their objects, as they arrive: 0 or HAP_ENOMEM. Objects are made on
 * first sight; hap_snap_build_objects() keeps the rows of the instances
 * that count and the objects that have some. */
int hap_snap_merge_rows(struct hap_snapshot *s, struct snap_inst *in, const char *base,
                        const struct hap_stat_row *rows, size_t n);

/* srvkeep.c: hap_job.on_bytes of a filtered "show servers state" read
 * (s->keep): the rows s->keep drops are dropped from the reply as they
 * arrive; arg is the instance. */
struct hap_job;
void hap_snap_keep_on_bytes(struct hap_job *j, void *arg);

#endif
