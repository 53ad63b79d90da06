/*
 * snapshot_get.c - what a snapshot answers once it is read (snapshot.c
 * reads and merges it): its info keys and fields, its objects by type,
 * by name or by server name in every backend, and each object's instances.
 *
 * Must never: read a socket, or change the snapshot it is asked about.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "model/snapshot.h"
#include "model/snapshot_int.h"
#include "util/banned.h"

/* ---- info ---- */

size_t hap_snapshot_info_count(const struct hap_snapshot *s)
{
	return s->ninfo;
}

const char *hap_snapshot_info_key(const struct hap_snapshot *s, size_t k)
{
	return s->info_keys[k];
}

/* ---- fields and objects ---- */

size_t hap_snapshot_field_count(const struct hap_snapshot *s)
{
	return s->nfields;
}

const char *hap_snapshot_field_name(const struct hap_snapshot *s, size_t f)
{
	return s->fields[f];
}

int hap_snapshot_field_index(const struct hap_snapshot *s, const char *name)
{
	size_t id;

	return hap_hmap_get(&s->field_map, hap_view_str(name), &id) ? (int)id : -1;
}

size_t hap_snapshot_count(const struct hap_snapshot *s, enum hap_obj type)
{
	return s->count[type];
}

const struct hap_object *hap_snapshot_object(const struct hap_snapshot *s, enum hap_obj type,
                                             size_t i)
{
	return i < s->count[type] ? s->sorted[type][i] : NULL;
}

const struct hap_object *hap_snapshot_find(const struct hap_snapshot *s, enum hap_obj type,
                                           const char *backend, const char *name)
{
	char key[1100];
	size_t klen, id, pl;

	if (!name || (type == HAP_OBJ_SERVER && !backend))
		return NULL;
	pl = type == HAP_OBJ_SERVER ? strlen(backend) : strlen(name);
	if (pl > 500 || (type == HAP_OBJ_SERVER && strlen(name) > 500))
		return NULL;
	key[0] = (char)('0' + type);
	key[1] = '\0';
	memcpy(key + 2, type == HAP_OBJ_SERVER ? backend : name, pl);
	klen = 2 + pl;
	if (type == HAP_OBJ_SERVER) {
		key[klen++] = '\0';
		memcpy(key + klen, name, strlen(name));
		klen += strlen(name);
	}
	if (!hap_hmap_get(&s->obj_map, hap_view_make(key, klen), &id))
		return NULL;
	/* only a failed or duplicate instance had it: none */
	return s->objs[id].n ? &s->objs[id] : NULL;
}

int hap_snapshot_reachable(const struct hap_snapshot *s, struct hap_error *err)
{
	size_t i, n = hap_snapshot_instance_count(s);
	const char *msg = "";

	if (hap_snapshot_live_count(s))
		return 0;
	for (i = 0; i < n; i++)
		if (hap_snapshot_inst_status(s, i, &msg))
			break;
	return hap_error_set(err, HAP_EIO, "no instance reachable (%s: %s)",
	                     i < n ? hap_instance_name(s, i) : "none", msg);
}

const struct hap_object *hap_snapshot_server_next(const struct hap_snapshot *s, size_t *pos,
                                                  const char *backend, const char *name)
{
	size_t n = s->count[HAP_OBJ_SERVER];

	if (backend && name) {
		/* one at most: the map answers it */
		const struct hap_object *o =
		        *pos ? NULL : hap_snapshot_find(s, HAP_OBJ_SERVER, backend, name);

		*pos = n + 1;
		return o;
	}
	while (*pos < n) {
		const struct hap_object *o = s->sorted[HAP_OBJ_SERVER][(*pos)++];

		if (name && strcmp(o->name, name) != 0)
			continue;
		if (backend && strcmp(o->backend, backend) != 0)
			continue;
		return o;
	}
	return NULL;
}

enum hap_obj hap_object_type(const struct hap_object *o)
{
	return o->type;
}

const char *hap_object_name(const struct hap_object *o)
{
	return o->name;
}

const char *hap_object_backend(const struct hap_object *o)
{
	return o->backend;
}

size_t hap_object_instance_count(const struct hap_object *o)
{
	return o->n;
}

size_t hap_object_instance(const struct hap_object *o, size_t k)
{
	return o->s->rows[o->first + k].inst;
}
