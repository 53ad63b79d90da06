/*
 * workflow.h - what the fleet workflows (workflow.c, dynsrv.c) share:
 * selections of servers, small plans built on an existing read, and the
 * reply tables of "add server" and "del server".
 *
 * Must never: send a command to an instance that does not hold the object,
 * or leave a server drained or in maintenance when a removal fails.
 */
#ifndef HAP_OPS_WORKFLOW_H
#define HAP_OPS_WORKFLOW_H

#include "haproxyadmin.h"
#include "ops/ops.h"
#include "util/buf.h"

extern const struct hap_reply_table hap_op_add_server;
extern const struct hap_reply_table hap_op_del_server;

/* server.c: the command of a change on one backend, and whether it stops traffic. */
int hap_server_op_format(struct hap_buf *b, const struct hap_server_op *op, const char *backend,
                         const struct hap_reply_table **judge);
int hap_server_op_disruptive(const struct hap_server_op *op);

/* 1 when server (backend, name) is selected. */
int hap_sel_match(const struct hap_server_sel *sel, const char *backend, const char *name);
/* The one backend every selected server is in, or NULL. */
const char *hap_sel_backend(const struct hap_server_sel *sel, char *buf, size_t len);
/* A read of the selected servers (one backend's rows when possible). */
int hap_sel_snapshot(struct hap_snapshot **out, struct hap *h, const struct hap_server_sel *sel,
                     struct hap_error *err);

/* A plan on a borrowed read: free with hap_wf_plan_free(). */
struct hap_plan *hap_wf_plan_new(struct hap *h, struct hap_snapshot *borrowed);
void hap_wf_plan_free(struct hap_plan *p);
/* Append every entry of r to dst (copies). */
int hap_wf_result_append(struct hap_result *dst, const struct hap_result *r);

#endif
