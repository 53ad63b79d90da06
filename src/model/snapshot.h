/*
 * snapshot.h - what the ops layer needs of a snapshot beyond the public API:
 * the target behind each instance, to send changes to exactly the
 * processes that were read.
 */
#ifndef HAP_MODEL_SNAPSHOT_H
#define HAP_MODEL_SNAPSHOT_H

#include "haproxyadmin.h"
#include "model/fleet.h"

const struct hap_target *hap_snapshot_target(const struct hap_snapshot *s, size_t i);

#endif
