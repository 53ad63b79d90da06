/*
 * top.h - what the live view (top.c, the screen) and its reader
 * (top_read.c: snapshot in a child process, compact serialization, model)
 * share.
 *
 * The reader never touches the terminal; the screen never talks to a socket
 * except through the library's plans for actions.
 */
#ifndef HAP_CLI_TOP_H
#define HAP_CLI_TOP_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* The "show stat" fields the view uses, per instance. */
enum top_field {
	TF_STATUS = 0, /* text (interned id) */
	TF_WEIGHT,
	TF_SCUR,
	TF_SMAX,
	TF_SLIM,
	TF_QCUR,
	TF_CHECK, /* text (interned id) */
	TF_LASTCHG,
	TF_BIN,
	TF_BOUT,
	TF_STOT,
	TF_REQTOT,
	TF_H1XX,
	TF_H2XX,
	TF_H3XX,
	TF_H4XX,
	TF_H5XX,
	TF_HOTHER,
	TF_EREQ,
	TF_ECON,
	TF_ERESP,
	TF_WRETR,
	TF_WREDIS,
	TF_COUNT,
};

/* Rates computed from counter deltas between two reads. */
enum top_rate {
	TR_BIN = 0,
	TR_BOUT,
	TR_SESS,
	TR_REQ,
	TR_COUNT,
};

#define TOP_ABSENT INT64_MIN
#define TOP_NORATE (-1.0f)

/* HAProxy's name of a field; the text fields are interned. */
extern const char *const top_field_names[TF_COUNT];
int top_field_is_text(int f);

/* Row flags. */
#define TOP_ROW_EXPANDED 0x1u
#define TOP_ROW_FOLDED   0x2u /* a backend whose servers are hidden */
#define TOP_ROW_TAGGED   0x4u /* a server marked for an action */

struct top_inst {
	const char *name;
	const char *msg; /* "" when it answered */
	const char *node;
	const char *version;
	int status;     /* 0 or a negative enum hap_err */
	unsigned flags; /* HAP_INST_* */
	int64_t pid, uptime, connrate, idle, conns;
	int restarted; /* pid changed or uptime went backwards since the last read */
	double restarted_at;
};

struct top_row {
	uint8_t type; /* enum hap_obj */
	uint8_t flags;
	uint16_t n;     /* instances holding it */
	uint32_t group; /* servers: row index of their backend, else itself */
	const char *name;
	const char *backend; /* servers only, else NULL */
	uint16_t *inst;      /* [n] instance indices */
	int64_t *v;          /* [n * TF_COUNT] */
	float *rate;         /* [n * TR_COUNT], TOP_NORATE when no baseline */
	int64_t agg[TF_COUNT];
	float agg_rate[TR_COUNT];
	uint32_t disagree; /* bit f: instances disagree on field f */
};

struct top_model {
	char *buf; /* the serialized read: strings point into it */
	size_t len, cap;
	size_t flagged; /* rows with flags (carried over to the next read) */
	size_t ninst;
	struct top_inst *inst;
	size_t nrows;
	struct top_row *rows;
	uint16_t *inst_pool;
	int64_t *val_pool;
	float *rate_pool;
	double at;     /* monotonic seconds of the read */
	uint32_t mask; /* fields read (bit f: enum top_field f); the others are absent */
	char err[256]; /* a fleet-wide failure of the read, else "" */
};

/* The text of an interned id. */
const char *top_text(int64_t id);

/*
 * In a child process: take one snapshot with h, keep only the rows of the
 * backends listed (when nb > 0), serialize the fields of mask (bit f for
 * enum top_field f) and write them to fd.
 * Returns the exit status for the child.
 */
int top_read_child(struct hap *h, int fd, const char *const *backends, size_t nb, uint32_t mask);

/*
 * Parse a serialized read (takes buf of cap bytes, freed with the model) into m, carry
 * over the row flags and compute rates against prev (may be NULL).
 * 0, or -1 with m->err set.
 */
int top_model_parse(struct top_model *m, char *buf, size_t len, size_t cap, double at,
                    const struct top_model *prev);
void top_model_release(struct top_model *m);

/*
 * The same in slices, so the screen serves keys in between: start (the
 * header and instances; takes buf), then step until it returns 0 (done; -1
 * failed, the message in the model's err; 1 more to do, each step running
 * about budget seconds), then take the model. prev must stay unchanged
 * until then. free(NULL) is a no-op.
 */
struct top_parse;
int top_parse_start(struct top_parse **out, char *buf, size_t len, size_t cap, double at,
                    const struct top_model *prev);
int top_parse_step(struct top_parse *p, double budget);
struct top_model *top_parse_model(struct top_parse *p);
void top_parse_take(struct top_parse *p, struct top_model *out);
void top_parse_free(struct top_parse *p);

/* The command (top.c). */
int cmd_top(struct cli *c, int argc, char **argv);

#endif
