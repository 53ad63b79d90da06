/*
 * parse.h - parsers of HAProxy runtime API replies.
 *
 * Owns: show info, show stat (CSV), show proc (master), show acl/map
 * listings and entries, get acl/map. Every parser takes bytes and returns
 * views into those bytes: nothing is copied per field, and the source must
 * outlive the result.
 *
 * Must never: do I/O, trust column positions (columns are found by header
 * name; fields after the "-" column move between versions), or read past
 * the given length (input need not be NUL-terminated).
 */
#ifndef HAP_PARSE_H
#define HAP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "haproxyadmin.h"
#include "util/buf.h"
#include "util/view.h"

/* ---- CSV (RFC 4180 as HAProxy writes it) ---- */

/*
 * Split one CSV line (without its '\n') into fields. Outer quotes of a
 * quoted field are removed; a doubled quote inside stays doubled in the
 * view (use hap_csv_text() to decode). HAProxy's trailing comma does not
 * make an extra empty field. Returns the number of fields (may exceed max:
 * only the first max are stored; out may be NULL when max is 0), or
 * HAP_EPROTO for an unterminated quote. Final '\r's are ignored (all of
 * them, as hap_stat_parse() ends its lines).
 */
int hap_csv_split(const char *line, size_t len, struct hap_view *out, size_t max);

/*
 * Read the field that starts at *pos (0 for the first one) of a line
 * without its '\n' (and without final '\r's: hap_csv_split() strips them,
 * callers of this function must). Returns 1 with *out set and *pos moved
 * past the field's comma, 0 at the end of the line, or HAP_EPROTO for an
 * unterminated quote or junk after a closing quote. Lets a caller stop
 * after the first few fields of a long line (hap_stat_parse()).
 */
int hap_csv_next(const char *line, size_t len, size_t *pos, struct hap_view *out);

/* Decode a field view into b (replaces its content): "" -> ". */
int hap_csv_text(struct hap_view field, struct hap_buf *b);

/* ---- show stat ---- */

enum hap_stat_type {
	HAP_STAT_FRONTEND = 0,
	HAP_STAT_BACKEND = 1,
	HAP_STAT_SERVER = 2,
	HAP_STAT_LISTENER = 3,
};

struct hap_stat_row {
	const char *line; /* the row's bytes, without '\n' */
	uint32_t len;
	uint8_t type;   /* enum hap_stat_type, from the "type" column (or svname) */
	uint8_t quoted; /* the line holds a '"' (a quoted field) */
	struct hap_view pxname;
	struct hap_view svname;
};

struct hap_stat {
	size_t ncols;
	struct hap_view *cols; /* column names from the "# " header, in order */
	size_t nrows;
	struct hap_stat_row *rows;
	int col_pxname, col_svname, col_type; /* indices, -1 if absent */
};

/*
 * Parse a "show stat" CSV reply (header line "# pxname,svname,...", rows,
 * blank line). Missing header, a row with an unterminated quote or without
 * pxname/svname is HAP_EPROTO with a message in err naming the line number.
 * out->rows point into text. Release with hap_stat_release().
 */
int hap_stat_parse(struct hap_stat *out, const char *text, size_t len, struct hap_error *err);
void hap_stat_release(struct hap_stat *st);

/*
 * The same parser on a reply that is still arriving. text[0, len) is the
 * reply so far, from its first byte; between calls it may move (a
 * realloc'd buffer) and grow, never change. Each call indexes the complete
 * lines past f->pos (with final, the rest too: the reply is whole), and
 * appends their rows to f->st.rows: views into this call's text, which the
 * caller consumes and may drop (set f->st.nrows to 0) before the next
 * call. f->st.cols point into this call's text too (re-read every call).
 * Fed in any cut, the rows, columns and errors are those of
 * hap_stat_parse() on the whole reply. Returns 0, or HAP_EPROTO /
 * HAP_ENOMEM with err set; then f is released.
 * Between calls the caller may swap the arrays (st.rows with cap, st.cols
 * with colcap) for others, each NULL with 0 or allocated, provided it sets
 * base to 0 so that the columns are read again, or has set
 * cols_final_only: many feeds can share one pair, only the indices of
 * pxname, svname and type are kept per feed.
 */
/* A header line read before: its bytes ("# " included) and its columns
 * (stable, not views into the text fed). A feed given one takes the
 * columns of the same bytes without splitting them again. */
struct hap_stat_hint {
	struct hap_view raw;
	const struct hap_view *cols;
	size_t ncols;
	int col_pxname, col_svname, col_type;
};

struct hap_stat_feed {
	struct hap_stat st;
	const struct hap_stat_hint *hint; /* set by the caller, or NULL */
	size_t pos;                       /* offset of the first byte not indexed yet */
	size_t seen;                      /* bytes past pos up to here hold no '\n' */
	size_t lineno;                    /* lines read so far */
	size_t cap;                       /* allocated rows */
	size_t colcap;                    /* allocated columns */
	int header;                       /* the header line was read */
	size_t hdr_off, hdr_len, hdr_lineno;
	uintptr_t base; /* where text was at the last call (compared, never read) */
	/* set by the caller: 1, the columns are read on the final call only
	 * (the rows need only the indices of pxname, svname and type); before
	 * it, st.cols may be stale and must not be read. 2, never again once
	 * read: the caller has them, and may then cut the header line out of
	 * the text (pos and seen moved back with it) */
	int cols_final_only;
};

void hap_stat_feed_init(struct hap_stat_feed *f);
int hap_stat_feed(struct hap_stat_feed *f, const char *text, size_t len, int final,
                  struct hap_error *err);
/* Free f's columns and rows (f->st: hap_stat_release()). */
void hap_stat_feed_release(struct hap_stat_feed *f);
/* Index of a column by name, or -1. */
int hap_stat_col(const struct hap_stat *st, const char *name);

/* ---- show info ---- */

/* A "Key: value" line, as offsets from the text parsed (hap_info.base):
 * 6 bytes a key, where two views took 32 (1,000 instances hold theirs
 * at once; a "show info" is ~1.2 KB, a text past 64 KiB is refused as
 * too long). The value starts 2 bytes after the key (": "). */
struct hap_kv {
	uint16_t off;
	uint16_t klen;
	uint16_t vlen;
};

struct hap_info {
	size_t n;
	const char *base;  /* the text parsed */
	struct hap_kv *kv; /* in reply order; keys may contain spaces */
};

/* Key and value i (< info->n), views into the text parsed. */
static inline struct hap_view hap_info_key(const struct hap_info *info, size_t i)
{
	return hap_view_make(info->base + info->kv[i].off, info->kv[i].klen);
}

static inline struct hap_view hap_info_val(const struct hap_info *info, size_t i)
{
	return hap_view_make(info->base + info->kv[i].off + info->kv[i].klen + 2, info->kv[i].vlen);
}

/*
 * Parse "show info": "Key: value" lines up to the first blank line or the
 * end. A line without ": " is skipped. An empty value is kept (empty view).
 * A reply with no "Name:" key is HAP_EPROTO (not HAProxy).
 * *consumed (may be NULL) gets the offset just after the terminating blank
 * line, so a following reply in the same buffer can be parsed.
 */
int hap_info_parse(struct hap_info *out, const char *text, size_t len, size_t *consumed,
                   struct hap_error *err);
void hap_info_release(struct hap_info *info);
/* The "Key: value" lines of text[*pos, len) one by one, by the rules of
 * hap_info_parse() (*pos 0 at first): 1 with key and val views into text,
 * 0 at the first blank line or the end, *pos then just after it. */
int hap_info_next(const char *text, size_t len, size_t *pos, struct hap_view *key,
                  struct hap_view *val);
/* 1 and *out set when key is present, else 0. */
int hap_info_get(const struct hap_info *info, const char *key, struct hap_view *out);

/* ---- show proc (master CLI) ---- */

enum hap_proc_kind {
	HAP_PROC_MASTER = 0,
	HAP_PROC_WORKER = 1,
	HAP_PROC_OLD_WORKER = 2,
	HAP_PROC_PROGRAM = 3,
	HAP_PROC_OLD_PROGRAM = 4, /* "# old programs", after a reload */
};

struct hap_proc {
	int64_t pid;
	enum hap_proc_kind kind;
	int64_t reloads;
	struct hap_view uptime; /* "0d00h01m02s" */
	struct hap_view version;
};

struct hap_proc_list {
	size_t n;
	struct hap_proc *procs;
};

/*
 * Parse "show proc"; sections "# workers", "# old workers", "# programs",
 * "# old programs" (entries of an unknown section are skipped). The first
 * line must be the "#<PID>" header; a blank line ends the reply.
 */
int hap_proc_parse(struct hap_proc_list *out, const char *text, size_t len, struct hap_error *err);
void hap_proc_release(struct hap_proc_list *pl);

/* ---- show acl / show map (the list of files) ---- */

struct hap_pat_ref {
	int64_t id;                 /* "#id", per instance */
	struct hap_view file;       /* inside "(...)", empty for inline ACLs */
	struct hap_view desc;       /* rest of the line, without ". curr_ver=..." */
	int64_t entry_cnt;          /* from "entry_cnt=N", -1 if absent */
	int64_t curr_ver, next_ver; /* -1 if absent */
};

struct hap_pat_ref_list {
	size_t n;
	struct hap_pat_ref *refs;
};

int hap_pat_ref_parse(struct hap_pat_ref_list *out, const char *text, size_t len,
                      struct hap_error *err);
void hap_pat_ref_release(struct hap_pat_ref_list *l);

/* ---- show acl <id> / show map <id> (the entries) ---- */

struct hap_pat_entry {
	struct hap_view ref; /* "0x55c283cb0e90" */
	struct hap_view key;
	struct hap_view value; /* maps only; empty for ACLs */
};

struct hap_pat_entry_list {
	size_t n;
	struct hap_pat_entry *entries;
};

/* is_map: split "ref key value" (value = rest of line) vs "ref pattern". */
int hap_pat_entry_parse(struct hap_pat_entry_list *out, const char *text, size_t len, int is_map,
                        struct hap_error *err);
void hap_pat_entry_release(struct hap_pat_entry_list *l);

/* ---- a local ACL/map file (patfile.c) ---- */

struct hap_pattern_file {
	enum hap_pattern_kind kind;
	size_t n;
	struct hap_buf text; /* entries as sent, each NUL-terminated */
	size_t *off;         /* n + 1 offsets into text */
	size_t *line;        /* source line of each entry */
};

/* Length of entry i (without its NUL). */
static inline size_t hap_pat_entry_len(const struct hap_pattern_file *f, size_t i)
{
	return f->off[i + 1] - f->off[i] - 1;
}

#endif
