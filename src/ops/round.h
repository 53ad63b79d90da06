/*
 * round.h - the round engine: the one place that sends a round of commands
 * to instances and judges every reply.
 *
 * Owns: the meaning of a reply per call. A call whose request never left
 * (target not resolved, connect failed) is an error and not sent; a call
 * whose request was written, at least in part, and that got no complete
 * reply (no byte at all, a deadline, a reset) is unknown for a write and a
 * failure for a read; a write's complete reply is judged by its table.
 *
 * Must never: count an empty reply as a success, or a written request as
 * not sent.
 *
 * Later: a call carries lines (each ending in '\n') so a prompt-mode
 * connection can carry many commands of one instance and cut the replies
 * at "\n> " (reference §8); each cut reply then goes through
 * hap_round_judge() and the ones after a missing reply are unknown.
 */
#ifndef HAP_OPS_ROUND_H
#define HAP_OPS_ROUND_H

#include "model/fleet.h"

/* Run every call in parallel (hap_calls_run) and judge each: call.code,
 * call.outcome and call.sent are set. For a read (judge NULL) a failure
 * also leaves job.err set (an empty reply becomes HAP_EIO). Returns 0 when
 * the round ran, or a fleet-wide error (HAP_ENOMEM). */
int hap_round_run(struct hap *h, const struct hap_target *ts, struct hap_call *calls, size_t n);

/* Judge one exchange as the round does (exposed for unit tests). */
void hap_round_judge(struct hap_call *c);

#endif
