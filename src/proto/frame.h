/*
 * frame.h - the framing of one instance's snapshot reply.
 *
 * A snapshot sends one request per instance, "show cli level", "show
 * info", then "show acl", "show map" when asked, then "show stat" (or "show
 * servers state"), and HAProxy answers each command with its text and a
 * blank line, one after the other on the same connection.
 *
 * Owns: cutting such a reply into its parts: the CLI level word, the
 * "show info" block, the listings, and where the rows start; and cutting a
 * prompt-mode stream (a worker's "> ", a master's "master> ") into its
 * replies, one per command.
 *
 * Must never: do I/O, allocate, parse the parts' contents (parse/ does),
 * or read past the given length (input need not be NUL-terminated).
 */
#ifndef HAP_PROTO_FRAME_H
#define HAP_PROTO_FRAME_H

#include <stddef.h>
#include <string.h>

#include "haproxyadmin.h"
#include "util/view.h"

/* The master CLI's answer when an "@!<pid>" target is gone. */
#define HAP_MASTER_NO_TARGET "Can't find the target PID matching the prefix"
static inline int hap_master_routing_failed(const char *reply, size_t len)
{
	size_t n = sizeof(HAP_MASTER_NO_TARGET) - 1;

	return len >= n && memcmp(reply, HAP_MASTER_NO_TARGET, n) == 0;
}

/*
 * Prompt mode (reference §8): after "prompt\n", HAProxy ends every reply,
 * empty or not, with "> " right after the reply's last '\n'. Find the next
 * complete reply in buf[from, len): returns its end (exclusive: the '\n'
 * included, the prompt not), or 0 when no complete reply is there yet. The
 * reply after it starts 2 bytes past the returned end. Byte-level framing
 * only: what a reply means is the caller's business.
 */
size_t hap_prompt_cut(const char *buf, size_t len, size_t from);

/*
 * The same for a master CLI in prompt mode (reference §4): its prompt is
 * "master> " (with flags: "master(e)> ", "master[ReloadFailed]> "), at the
 * start of a line, and the answer to "prompt" itself is that prompt alone
 * (no '\n' before it). Find the next complete reply in buf[from, len): on
 * success returns 1, *end is the reply's end (exclusive, its last '\n'
 * included; *end == from for an empty reply) and *next where the reply
 * after it starts (past the prompt); returns 0 when no complete prompt is
 * there yet.
 */
int hap_master_prompt_cut(const char *buf, size_t len, size_t from, size_t *end, size_t *next);

enum hap_frame_status {
	HAP_FRAME_OK = 0,
	HAP_FRAME_ROUTING, /* a master could not route to the worker: first_line says why */
	HAP_FRAME_EMPTY,   /* the connection closed without a reply */
	HAP_FRAME_CUT,     /* no final blank line: the reply was cut short */
};

struct hap_frame {
	enum hap_frame_status status;
	struct hap_view first_line; /* the reply's first line (without "\n") */
	int level;                  /* HAP_LEVEL_*, HAP_LEVEL_UNKNOWN when not answered */
	struct hap_view info;       /* "show info", up to and with its blank line */
	int has_pat[2];             /* "show acl" (0), "show map" (1) were asked */
	struct hap_view pat[2];     /* each listing, without its blank line */
	size_t rest;                /* offset of the rows ("show stat" or servers state) */
};

/*
 * Frame reply[0, len) of a snapshot request that asked for what
 * (HAP_SNAP_ACLS, HAP_SNAP_MAPS): always succeeds; out->status says
 * whether the reply is whole. Views point into reply.
 */
void hap_frame_snapshot(struct hap_frame *out, const char *reply, size_t len, unsigned what);

/*
 * The same reply while it arrives: 1 and *rest (where the rows start) once
 * reply[0, len) holds the whole of the parts before the rows (level, info,
 * listings asked by what); 0 while it does not yet, or when the reply is
 * not framed that way (a master's routing failure). Whatever follows, the
 * whole reply framed by hap_frame_snapshot() is then either not
 * HAP_FRAME_OK or has the same rest: callers check it at the end.
 */
int hap_frame_rows_start(const char *reply, size_t len, unsigned what, size_t *rest);
/* The same, and where the "show info" part is: reply[*info_off, + *info_n),
 * up to and with its blank line (as hap_frame_snapshot() frames it). */
int hap_frame_head(const char *reply, size_t len, unsigned what, size_t *info_off, size_t *info_n,
                   size_t *rest);

#endif
