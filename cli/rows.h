/*
 * rows.h - one row emitter for the three output formats (rows.c).
 *
 * A command declares its columns once, then adds rows of values; the
 * emitter renders them as an aligned table, as CSV (RFC 4180, a header
 * line) or as JSON from the same rows, following -o.
 *
 * A column has a table/CSV header (NULL: JSON only) and a JSON key (NULL:
 * table and CSV only). JSON objects carry their keys in the order the
 * values were set, and only the keys that were set, so one declaration
 * serves each command's JSON shape. A row may have child rows (an object's
 * instances): in JSON they are objects in an array under the parent's
 * nest key; in a table or CSV they are rows of their own, and a column a
 * child leaves unset shows its parent's value (not its labels). A child
 * may have rows of its own (a third level), and a row may be for JSON
 * only (an object's summary whose table rows are its children) or for the
 * table only.
 *
 * A column's kind says what it holds; the setters give the JSON type, and
 * a table prints every kind left-aligned, as the tables always were.
 */
#ifndef HAP_CLI_ROWS_H
#define HAP_CLI_ROWS_H

#include <stddef.h>

#include "haproxyadmin.h"
#include "cli.h"

enum col_kind {
	COL_TEXT = 0, /* a string */
	COL_NUMBER,   /* a count or a value: a JSON number where known */
	COL_OUTCOME,  /* a result word (applied, error...) */
};

struct col {
	const char *head; /* table and CSV header; NULL: JSON only */
	const char *key;  /* JSON key; NULL: table and CSV only */
	enum col_kind kind;
};

/* JSON shapes: an array of rows, or one row (a parent with its children). */
enum rows_shape {
	ROWS_ARRAY = 0,
	ROWS_ONE,
};

struct rows;

/* Levels of rows: a row, its children, their children. */
#define ROWS_DEPTH 3

/* Start an output in c's format. cols must outlive the rows; nest is the
 * JSON key of child rows (NULL when there are none). */
struct rows *rows_new(struct cli *c, const struct col *cols, size_t ncols, enum rows_shape shape,
                      const char *nest);
/* Start a top-level row, or a child row of the last top-level one. */
void rows_row(struct rows *r);
void rows_child(struct rows *r);
/* A child row in the JSON array key of the last top-level row (a row may
 * have child rows in several arrays, one after the other), or a row of
 * the last child in its array key. In a table they are rows of their own
 * and show the nearest ancestor's value in a column they leave unset. */
void rows_child_in(struct rows *r, const char *key);
void rows_grandchild_in(struct rows *r, const char *key);
/* The current row is JSON only (an object's summary, an instance's
 * element): the table and CSV leave it out. */
void rows_json_only(struct rows *r);
/* The current row is for the table and CSV only (JSON leaves it out). */
void rows_table_only(struct rows *r);
/* The current row is complete: JSON opens its array key for the child
 * rows that follow, so that it is there (empty) when none does. */
void rows_open(struct rows *r, const char *key);
/* End the last top-level row and its children (what follows is at the
 * top level). */
void rows_end(struct rows *r);
/* Values of the current row's column col. */
void rows_str(struct rows *r, size_t col, const char *s);
/* 1 when r writes JSON (the table's texts are then not needed). */
int rows_json(const struct rows *r);
/* rows_str() without a copy: s stays valid and unchanged until rows_done(). */
void rows_str_ref(struct rows *r, size_t col, const char *s);
void rows_num(struct rows *r, size_t col, long long n);
void rows_bool(struct rows *r, size_t col, int b);
void rows_null(struct rows *r, size_t col);
/* A list of strings: a JSON array, the strings space-separated in the
 * table and CSV. */
void rows_strs(struct rows *r, size_t col, const char *const *v, size_t n);
/* A count that may be unknown (negative): null in JSON, the number as is in
 * the table and CSV. */
void rows_count(struct rows *r, size_t col, long long n);
/* A snapshot value: a number, a text, or null in JSON ("-" absent, "*"
 * disagreeing in a table) unless shown is given for the table and CSV. */
void rows_value(struct rows *r, size_t col, const struct hap_value *v, const char *shown);
/* The table's and CSV's text of the cell just set in column col, when it
 * is not the JSON value's (a result word with its why, a "?"). */
void rows_shown(struct rows *r, size_t col, const char *text);
/* A cell for the table and CSV only (JSON leaves the key out). */
void rows_label(struct rows *r, size_t col, const char *s);
/* Rows for the instances of s that did not answer (guard.c's shape), where
 * the output is: inside the open row's children, else at the top level.
 * name_col and msg_col are columns (with a header) of r. */
void rows_unreached(struct rows *r, const struct hap_snapshot *s, size_t name_col, size_t msg_col);
/* Print what is left and free r. */
void rows_done(struct rows *r);

/* "dump -o csv" and "dump -o table" (dump_rows.c): one row per object
 * and instance after its aggregate row, streamed. 0 or an exit status. */
int dump_rows(struct cli *c, const struct hap_snapshot *s);

/* ---- the read of one metric (objects.c, cmd_info.c) ---- */

/* Columns: BACKEND NAME INSTANCE METRIC, JSON name backend metric rule
 * value disagree and instances[{endpoint, value}]. */
enum { MC_BACKEND, MC_NAME, MC_INSTANCE, MC_METRIC, MC_RULE, MC_VALUE, MC_DISAGREE, MC_N };
/* cols is filled (the table shows BACKEND and NAME when asked). */
struct rows *metric_rows_new(struct cli *c, struct col cols[MC_N], const char *field, int backend,
                             int name, enum rows_shape shape);
/* The aggregate of a row: "(all)" in tables; type is an enum hap_obj or -1. */
void metric_rows_all(struct rows *r, int type, const char *field, const struct hap_value *v);
/* One instance's value, a child row. */
void metric_rows_one(struct rows *r, const char *endpoint, const struct hap_value *v);

#endif
