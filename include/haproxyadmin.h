/*
 * haproxyadmin.h - manage many HAProxy instances through their runtime API
 * as if they were one.
 *
 * Conventions:
 * - Functions that can fail return 0 or a negative enum hap_err.
 * - A function that allocates for the caller says so ("caller owns *out,
 *   free with X"); a returned pointer is otherwise borrowed from its parent
 *   and valid as long as the parent is.
 * - struct hap_error *err parameters may be NULL.
 * - The library never prints, exits or touches signals. A handle is not
 *   thread-safe; separate handles on separate threads are fine.
 */
#ifndef HAPROXYADMIN_H
#define HAPROXYADMIN_H

/* The public API by concept; each header includes what it builds on. */
#include "haproxyadmin/error.h"    /* codes, struct hap_error, HAP_API */
#include "haproxyadmin/fleet.h"    /* struct hap, options, endpoints */
#include "haproxyadmin/snapshot.h" /* values, snapshots, objects, instances */
#include "haproxyadmin/change.h"   /* plans, results, server/frontend/global changes */
#include "haproxyadmin/pattern.h"  /* ACLs and maps */
#include "haproxyadmin/workflow.h" /* selections, waits, dynamic servers, state */

#endif
