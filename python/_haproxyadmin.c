/*
 * _haproxyadmin.c - the C extension module under the haproxyadmin package:
 * libhaproxyadmin's public API (include/haproxyadmin.h) as Python types.
 *
 * Fleet      struct hap          endpoints, options, reads and changes
 * Snapshot   struct hap_snapshot one parallel read; keeps its Fleet alive
 * Object     struct hap_object   borrowed from a snapshot; keeps it alive
 * Plan       struct hap_plan     a change planned from a fresh read; keeps
 *                                its Fleet alive; apply() gives the results
 *
 * Values come back as int (numbers), str (text), None (absent) or the
 * module's DISAGREE marker (instances hold different values). A failed call
 * raises _haproxyadmin.Error(message) with .code (a negative enum hap_err)
 * and .codename (hap_strerror). Results are tuples, one per instance.
 *
 * This module owns no policy: the haproxyadmin package (the original's API)
 * is written in Python on top of it. It never prints.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <haproxyadmin.h>

static PyObject *HapErrorType;
static PyObject *Disagree;

static PyObject *raise_code(int code, const char *msg)
{
	PyObject *exc, *v;

	exc = PyObject_CallFunction(HapErrorType, "s", msg && *msg ? msg : hap_strerror(code));
	if (!exc)
		return NULL;
	v = PyLong_FromLong(code);
	if (v) {
		PyObject_SetAttrString(exc, "code", v);
		Py_DECREF(v);
	}
	v = PyUnicode_FromString(hap_strerror(code));
	if (v) {
		PyObject_SetAttrString(exc, "codename", v);
		Py_DECREF(v);
	}
	PyErr_SetObject(HapErrorType, exc);
	Py_DECREF(exc);
	return NULL;
}

static PyObject *raise_err(int code, const struct hap_error *err)
{
	return raise_code(code, err->msg);
}

static PyObject *str_or_none(const char *s)
{
	if (!s)
		Py_RETURN_NONE;
	return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

static PyObject *value_to_py(const struct hap_value *v)
{
	switch (v->kind) {
	case HAP_VALUE_NUMBER:
		return PyLong_FromLongLong((long long)v->num);
	case HAP_VALUE_TEXT:
		return PyUnicode_DecodeUTF8(v->text, (Py_ssize_t)v->len, "replace");
	case HAP_VALUE_DISAGREE:
		Py_INCREF(Disagree);
		return Disagree;
	case HAP_VALUE_ABSENT:
	default:
		Py_RETURN_NONE;
	}
}

/* ------------------------------------------------------------------ types */

typedef struct {
	PyObject_HEAD struct hap *h;
	int busy; /* a call is running with the GIL released */
} FleetObject;

typedef struct {
	PyObject_HEAD struct hap_snapshot *s;
	PyObject *fleet; /* strong: the snapshot was read through it */
} SnapshotObject;

typedef struct {
	PyObject_HEAD const struct hap_object *o; /* borrowed from snap */
	PyObject *snap;                           /* strong */
} ObjectObject;

typedef struct {
	PyObject_HEAD struct hap_plan *p;
	PyObject *fleet; /* strong */
} PlanObject;

static PyTypeObject FleetType;
static PyTypeObject SnapshotType;
static PyTypeObject ObjectType;
static PyTypeObject PlanType;

static int fleet_ready(FleetObject *self)
{
	if (!self->h) {
		PyErr_SetString(PyExc_RuntimeError, "Fleet not initialised");
		return -1;
	}
	return 0;
}

/*
 * A fleet handle is not thread-safe and the GIL is released during I/O: one
 * call at a time per Fleet; another thread gets RuntimeError, not a race.
 */
static int fleet_enter(FleetObject *f)
{
	if (fleet_ready(f))
		return -1;
	if (f->busy) {
		PyErr_SetString(PyExc_RuntimeError, "the fleet is in use by another thread");
		return -1;
	}
	return 0;
}

#define FLEET_IO(f, ...)                                                                           \
	do {                                                                                       \
		(f)->busy = 1;                                                                     \
		Py_BEGIN_ALLOW_THREADS __VA_ARGS__;                                                \
		Py_END_ALLOW_THREADS(f)->busy = 0;                                                 \
	} while (0)

/* ------------------------------------------------------------------ results */

/* A list of (instance, object, command, code, message, sent); frees r. */
static PyObject *result_to_list(struct hap_result *r)
{
	size_t i, n = hap_result_count(r);
	PyObject *list = PyList_New((Py_ssize_t)n);

	for (i = 0; list && i < n; i++) {
		PyObject *t = Py_BuildValue(
		        "(NNNiNN)", str_or_none(hap_result_instance(r, i)),
		        str_or_none(hap_result_object(r, i)), str_or_none(hap_result_command(r, i)),
		        hap_result_code(r, i), str_or_none(hap_result_message(r, i)),
		        PyBool_FromLong(hap_result_sent(r, i)));
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	hap_result_free(r);
	return list;
}

/* ------------------------------------------------------------------ Object */

static PyObject *object_new_borrowed(PyObject *snap, const struct hap_object *o)
{
	ObjectObject *self = PyObject_New(ObjectObject, &ObjectType);

	if (!self)
		return NULL;
	self->o = o;
	Py_INCREF(snap);
	self->snap = snap;
	return (PyObject *)self;
}

static void object_dealloc(ObjectObject *self)
{
	Py_CLEAR(self->snap);
	PyObject_Free(self);
}

static PyObject *object_get_name(ObjectObject *self, void *unused)
{
	(void)unused;
	return str_or_none(hap_object_name(self->o));
}

static PyObject *object_get_backend(ObjectObject *self, void *unused)
{
	(void)unused;
	return str_or_none(hap_object_backend(self->o));
}

static PyObject *object_get_type(ObjectObject *self, void *unused)
{
	(void)unused;
	return PyLong_FromLong((long)hap_object_type(self->o));
}

static PyObject *object_get_snapshot(ObjectObject *self, void *unused)
{
	(void)unused;
	Py_INCREF(self->snap);
	return self->snap;
}

static PyObject *object_instances(ObjectObject *self, PyObject *unused)
{
	size_t k, n = hap_object_instance_count(self->o);
	PyObject *list = PyList_New((Py_ssize_t)n);

	(void)unused;
	for (k = 0; list && k < n; k++) {
		PyObject *v = PyLong_FromSize_t(hap_object_instance(self->o, k));
		if (!v) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)k, v);
	}
	return list;
}

/*
 * values(fields) -> (aggregate, [instance values...]) for the named fields:
 * each a tuple in the order of fields. A field no instance reports is None.
 */
static PyObject *object_values(ObjectObject *self, PyObject *args)
{
	const struct hap_snapshot *s = ((SnapshotObject *)self->snap)->s;
	PyObject *seq, *fast = NULL, *ret = NULL, *agg = NULL, *insts = NULL;
	size_t *idx = NULL, n, k, x, ni = hap_object_instance_count(self->o);
	struct hap_value *vals = NULL;
	int *missing = NULL, rc;

	if (!PyArg_ParseTuple(args, "O", &seq))
		return NULL;
	fast = PySequence_Fast(seq, "fields must be a sequence of str");
	if (!fast)
		return NULL;
	n = (size_t)PySequence_Fast_GET_SIZE(fast);
	idx = PyMem_Calloc(n ? n : 1, sizeof(*idx));
	missing = PyMem_Calloc(n ? n : 1, sizeof(*missing));
	vals = PyMem_Calloc((1 + ni) * (n ? n : 1), sizeof(*vals));
	if (!idx || !missing || !vals) {
		PyErr_NoMemory();
		goto out;
	}
	for (x = 0; x < n; x++) {
		const char *name = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(fast, (Py_ssize_t)x));
		int f;

		if (!name)
			goto out;
		f = hap_snapshot_field_index(s, name);
		if (f < 0)
			missing[x] = 1;
		else
			idx[x] = (size_t)f;
	}
	/* values_select wants valid indices: point missing ones at field 0 */
	rc = hap_object_values_select(vals, self->o, idx, n);
	if (rc) {
		raise_code(rc, NULL);
		goto out;
	}
	agg = PyTuple_New((Py_ssize_t)n);
	insts = PyList_New((Py_ssize_t)ni);
	if (!agg || !insts)
		goto out;
	for (k = 0; k <= ni; k++) {
		PyObject *t = k ? PyTuple_New((Py_ssize_t)n) : agg;

		if (!t)
			goto out;
		if (k)
			PyList_SET_ITEM(insts, (Py_ssize_t)(k - 1), t);
		for (x = 0; x < n; x++) {
			PyObject *v;

			if (missing[x]) {
				Py_INCREF(Py_None);
				v = Py_None;
			} else {
				v = value_to_py(&vals[k * n + x]);
			}
			if (!v)
				goto out;
			PyTuple_SET_ITEM(t, (Py_ssize_t)x, v);
		}
	}
	ret = Py_BuildValue("(OO)", agg, insts);
out:
	Py_XDECREF(agg);
	Py_XDECREF(insts);
	Py_XDECREF(fast);
	PyMem_Free(idx);
	PyMem_Free(missing);
	PyMem_Free(vals);
	return ret;
}

/* rows() -> (aggregate dict, [instance dict...]) of every field */
static PyObject *object_rows(ObjectObject *self, PyObject *unused)
{
	const struct hap_snapshot *s = ((SnapshotObject *)self->snap)->s;
	size_t nf = hap_snapshot_field_count(s), ni = hap_object_instance_count(self->o), k, f;
	struct hap_value *vals;
	PyObject *agg = NULL, *insts = NULL, *ret = NULL;
	int rc;

	(void)unused;
	vals = PyMem_Calloc((1 + ni) * (nf ? nf : 1), sizeof(*vals));
	if (!vals)
		return PyErr_NoMemory();
	rc = hap_object_values_all(vals, self->o);
	if (rc) {
		raise_code(rc, NULL);
		goto out;
	}
	insts = PyList_New((Py_ssize_t)ni);
	if (!insts)
		goto out;
	for (k = 0; k <= ni; k++) {
		PyObject *d = PyDict_New();

		if (!d)
			goto out;
		if (k)
			PyList_SET_ITEM(insts, (Py_ssize_t)(k - 1), d);
		else
			agg = d;
		for (f = 0; f < nf; f++) {
			PyObject *v = value_to_py(&vals[k * nf + f]);

			if (!v || PyDict_SetItemString(d, hap_snapshot_field_name(s, f), v)) {
				Py_XDECREF(v);
				goto out;
			}
			Py_DECREF(v);
		}
	}
	ret = Py_BuildValue("(OO)", agg, insts);
out:
	Py_XDECREF(agg);
	Py_XDECREF(insts);
	PyMem_Free(vals);
	return ret;
}

static PyMethodDef object_methods[] = {
	{ "instances", (PyCFunction)object_instances, METH_NOARGS,
	  "instances() -> snapshot instance indices holding the object" },
	{ "values", (PyCFunction)object_values, METH_VARARGS,
	  "values(fields) -> (aggregate tuple, [per-instance tuples])" },
	{ "rows", (PyCFunction)object_rows, METH_NOARGS,
	  "rows() -> (aggregate dict, [per-instance dicts]) of every field" },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef object_getset[] = {
	{ "name", (getter)object_get_name, NULL, "object name", NULL },
	{ "backend", (getter)object_get_backend, NULL, "backend of a server, else None", NULL },
	{ "type", (getter)object_get_type, NULL, "OBJ_FRONTEND, OBJ_BACKEND or OBJ_SERVER", NULL },
	{ "snapshot", (getter)object_get_snapshot, NULL, "the snapshot it belongs to", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyTypeObject ObjectType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_haproxyadmin.Object",
	.tp_basicsize = sizeof(ObjectObject),
	.tp_dealloc = (destructor)object_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A frontend, backend or server of a snapshot (merged across instances).",
	.tp_methods = object_methods,
	.tp_getset = object_getset,
};

/* ------------------------------------------------------------------ Snapshot */

static PyObject *snapshot_wrap(PyObject *fleet, struct hap_snapshot *s)
{
	SnapshotObject *self = PyObject_New(SnapshotObject, &SnapshotType);

	if (!self) {
		hap_snapshot_free(s);
		return NULL;
	}
	self->s = s;
	Py_INCREF(fleet);
	self->fleet = fleet;
	return (PyObject *)self;
}

static void snapshot_dealloc(SnapshotObject *self)
{
	hap_snapshot_free(self->s);
	Py_CLEAR(self->fleet);
	PyObject_Free(self);
}

static PyObject *snapshot_instances(SnapshotObject *self, PyObject *unused)
{
	size_t i, n = hap_snapshot_instance_count(self->s);
	PyObject *list = PyList_New((Py_ssize_t)n);

	(void)unused;
	for (i = 0; list && i < n; i++) {
		const char *msg = hap_result_message(hap_snapshot_result(self->s), i);
		int code = hap_result_code(hap_snapshot_result(self->s), i);
		PyObject *t = Py_BuildValue("(NiNIs)", str_or_none(hap_instance_name(self->s, i)),
		                            code, str_or_none(msg), hap_instance_flags(self->s, i),
		                            hap_level_name(hap_instance_level(self->s, i)));
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	return list;
}

static PyObject *snapshot_live_count(SnapshotObject *self, PyObject *unused)
{
	(void)unused;
	return PyLong_FromSize_t(hap_snapshot_live_count(self->s));
}

static PyObject *snapshot_info_keys(SnapshotObject *self, PyObject *unused)
{
	size_t k, n = hap_snapshot_info_count(self->s);
	PyObject *list = PyList_New((Py_ssize_t)n);

	(void)unused;
	for (k = 0; list && k < n; k++) {
		PyObject *v = str_or_none(hap_snapshot_info_key(self->s, k));
		if (!v) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)k, v);
	}
	return list;
}

/* info(key, instance=-1): a show info value, aggregated (-1) or of one instance */
static PyObject *snapshot_info(SnapshotObject *self, PyObject *args)
{
	const char *key;
	Py_ssize_t i = -1;
	struct hap_value v;
	int rc;

	if (!PyArg_ParseTuple(args, "s|n", &key, &i))
		return NULL;
	if (i >= (Py_ssize_t)hap_snapshot_instance_count(self->s)) {
		PyErr_SetString(PyExc_IndexError, "no such instance");
		return NULL;
	}
	rc = hap_snapshot_info(&v, self->s, i < 0 ? HAP_AGGREGATE : (size_t)i, key);
	if (rc == HAP_ENOTFOUND)
		Py_RETURN_NONE;
	if (rc)
		return raise_code(rc, NULL);
	return value_to_py(&v);
}

static PyObject *snapshot_fields(SnapshotObject *self, PyObject *unused)
{
	size_t f, n = hap_snapshot_field_count(self->s);
	PyObject *list = PyList_New((Py_ssize_t)n);

	(void)unused;
	for (f = 0; list && f < n; f++) {
		PyObject *v = str_or_none(hap_snapshot_field_name(self->s, f));
		if (!v) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)f, v);
	}
	return list;
}

static int check_type(int type)
{
	if (type < HAP_OBJ_FRONTEND || type > HAP_OBJ_SERVER) {
		PyErr_SetString(PyExc_ValueError,
		                "object type must be OBJ_FRONTEND, OBJ_BACKEND or OBJ_SERVER");
		return -1;
	}
	return 0;
}

static PyObject *snapshot_objects(SnapshotObject *self, PyObject *args)
{
	int type;
	size_t i, n;
	PyObject *list;

	if (!PyArg_ParseTuple(args, "i", &type) || check_type(type))
		return NULL;
	n = hap_snapshot_count(self->s, (enum hap_obj)type);
	list = PyList_New((Py_ssize_t)n);
	for (i = 0; list && i < n; i++) {
		PyObject *o = object_new_borrowed(
		        (PyObject *)self, hap_snapshot_object(self->s, (enum hap_obj)type, i));
		if (!o) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, o);
	}
	return list;
}

static PyObject *snapshot_count(SnapshotObject *self, PyObject *args)
{
	int type;

	if (!PyArg_ParseTuple(args, "i", &type) || check_type(type))
		return NULL;
	return PyLong_FromSize_t(hap_snapshot_count(self->s, (enum hap_obj)type));
}

/* find(type, name, backend=None) -> Object or None */
static PyObject *snapshot_find(SnapshotObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "type", "name", "backend", NULL };
	const char *name, *backend = NULL;
	const struct hap_object *o;
	int type;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "is|z", kwlist, &type, &name, &backend) ||
	    check_type(type))
		return NULL;
	o = hap_snapshot_find(self->s, (enum hap_obj)type, backend, name);
	if (!o)
		Py_RETURN_NONE;
	return object_new_borrowed((PyObject *)self, o);
}

static PyMethodDef snapshot_methods[] = {
	{ "instances", (PyCFunction)snapshot_instances, METH_NOARGS,
	  "instances() -> [(name, code, message, flags, level)]" },
	{ "live_count", (PyCFunction)snapshot_live_count, METH_NOARGS,
	  "instances that answered and count" },
	{ "info_keys", (PyCFunction)snapshot_info_keys, METH_NOARGS, "show info keys" },
	{ "info", (PyCFunction)snapshot_info, METH_VARARGS,
	  "info(key, instance=-1) -> value (aggregate when instance < 0)" },
	{ "fields", (PyCFunction)snapshot_fields, METH_NOARGS, "show stat field names" },
	{ "objects", (PyCFunction)snapshot_objects, METH_VARARGS,
	  "objects(type) -> [Object], sorted by name" },
	{ "count", (PyCFunction)snapshot_count, METH_VARARGS, "count(type) -> number of objects" },
	{ "find", (PyCFunction)(void (*)(void))snapshot_find, METH_VARARGS | METH_KEYWORDS,
	  "find(type, name, backend=None) -> Object or None" },
	{ NULL, NULL, 0, NULL },
};

static PyTypeObject SnapshotType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_haproxyadmin.Snapshot",
	.tp_basicsize = sizeof(SnapshotObject),
	.tp_dealloc = (destructor)snapshot_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "One parallel read of every instance of a fleet, merged by name.",
	.tp_methods = snapshot_methods,
};

/* ------------------------------------------------------------------ Plan */

static PyObject *plan_wrap(PyObject *fleet, struct hap_plan *p)
{
	PlanObject *self = PyObject_New(PlanObject, &PlanType);

	if (!self) {
		hap_plan_free(p);
		return NULL;
	}
	self->p = p;
	Py_INCREF(fleet);
	self->fleet = fleet;
	return (PyObject *)self;
}

static void plan_dealloc(PlanObject *self)
{
	hap_plan_free(self->p);
	Py_CLEAR(self->fleet);
	PyObject_Free(self);
}

/* entries() -> [(instance, object, command, skip code, skip message)] */
static PyObject *plan_entries(PlanObject *self, PyObject *unused)
{
	size_t i, n = hap_plan_count(self->p);
	PyObject *list = PyList_New((Py_ssize_t)n);

	(void)unused;
	for (i = 0; list && i < n; i++) {
		const char *msg = NULL;
		int skip = hap_plan_skip(self->p, i, &msg);
		PyObject *t = Py_BuildValue("(NNNiN)", str_or_none(hap_plan_instance(self->p, i)),
		                            str_or_none(hap_plan_object(self->p, i)),
		                            str_or_none(hap_plan_command(self->p, i)), skip,
		                            str_or_none(skip ? msg : NULL));
		if (!t) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, t);
	}
	return list;
}

static PyObject *plan_objects(PlanObject *self, PyObject *unused)
{
	(void)unused;
	return PyLong_FromSize_t(hap_plan_objects(self->p));
}

static PyObject *plan_disruptive(PlanObject *self, PyObject *unused)
{
	(void)unused;
	return PyBool_FromLong(hap_plan_disruptive(self->p));
}

/* unreached() -> [(instance, code, message)] instances the plan's read missed */
static PyObject *plan_unreached(PlanObject *self, PyObject *unused)
{
	const struct hap_snapshot *s = hap_plan_snapshot(self->p);
	size_t i, n = s ? hap_snapshot_instance_count(s) : 0;
	PyObject *list = PyList_New(0);

	(void)unused;
	for (i = 0; list && i < n; i++) {
		const char *msg = hap_result_message(hap_snapshot_result(s), i);
		int code = hap_result_code(hap_snapshot_result(s), i);
		PyObject *t;

		if (!code)
			continue;
		t = Py_BuildValue("(NiN)", str_or_none(hap_instance_name(s, i)), code,
		                  str_or_none(msg));
		if (!t || PyList_Append(list, t)) {
			Py_XDECREF(t);
			Py_CLEAR(list);
			break;
		}
		Py_DECREF(t);
	}
	return list;
}

static PyObject *plan_apply(PlanObject *self, PyObject *unused)
{
	struct hap_error err = { 0, "" };
	struct hap_result *r = NULL;
	int rc;

	(void)unused;
	if (fleet_enter((FleetObject *)self->fleet))
		return NULL;
	FLEET_IO((FleetObject *)self->fleet, rc = hap_plan_apply(&r, self->p, &err));
	if (rc)
		return raise_err(rc, &err);
	return result_to_list(r);
}

static PyMethodDef plan_methods[] = {
	{ "entries", (PyCFunction)plan_entries, METH_NOARGS,
	  "entries() -> [(instance, object, command, skip code, skip message)]" },
	{ "objects", (PyCFunction)plan_objects, METH_NOARGS, "distinct objects touched" },
	{ "disruptive", (PyCFunction)plan_disruptive, METH_NOARGS, "True when it stops traffic" },
	{ "unreached", (PyCFunction)plan_unreached, METH_NOARGS,
	  "instances the plan's read could not reach: [(instance, code, message)]" },
	{ "apply", (PyCFunction)plan_apply, METH_NOARGS,
	  "apply() -> [(instance, object, command, code, message, sent)]" },
	{ NULL, NULL, 0, NULL },
};

static PyTypeObject PlanType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_haproxyadmin.Plan",
	.tp_basicsize = sizeof(PlanObject),
	.tp_dealloc = (destructor)plan_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "The exact runtime command per instance of a change; apply() sends them.",
	.tp_methods = plan_methods,
};

/* ------------------------------------------------------------------ Fleet */

static int fleet_init(FleetObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "endpoints", "timeout_ms", "retries", "parallel", NULL };
	struct hap_options opts = { 0 };
	struct hap_error err = { 0, "" };
	PyObject *eps, *fast;
	Py_ssize_t i;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|iii", kwlist, &eps, &opts.timeout_ms,
	                                 &opts.retries, &opts.parallel))
		return -1;
	if (self->h) {
		hap_free(self->h);
		self->h = NULL;
	}
	fast = PySequence_Fast(eps, "endpoints must be a sequence of str");
	if (!fast)
		return -1;
	rc = hap_new(&self->h, &opts);
	if (rc) {
		Py_DECREF(fast);
		raise_code(rc, "cannot create the fleet");
		return -1;
	}
	for (i = 0; i < PySequence_Fast_GET_SIZE(fast); i++) {
		const char *spec = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(fast, i));

		if (!spec) {
			Py_DECREF(fast);
			return -1;
		}
		rc = hap_add_endpoint(self->h, spec, &err);
		if (rc) {
			Py_DECREF(fast);
			raise_err(rc, &err);
			return -1;
		}
	}
	Py_DECREF(fast);
	return 0;
}

static void fleet_dealloc(FleetObject *self)
{
	hap_free(self->h);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *fleet_endpoints(FleetObject *self, PyObject *unused)
{
	size_t i, n;
	PyObject *list;

	(void)unused;
	if (fleet_ready(self))
		return NULL;
	n = hap_endpoint_count(self->h);
	list = PyList_New((Py_ssize_t)n);
	for (i = 0; list && i < n; i++) {
		PyObject *v = str_or_none(hap_endpoint_name(self->h, i));
		if (!v) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, v);
	}
	return list;
}

/* snapshot(what=SNAP_ALL, proxy=None) */
static PyObject *fleet_snapshot(FleetObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "what", "proxy", NULL };
	struct hap_error err = { 0, "" };
	struct hap_snapshot *s = NULL;
	unsigned int what = HAP_SNAP_ALL;
	const char *proxy = NULL;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|Iz", kwlist, &what, &proxy) ||
	    fleet_enter(self))
		return NULL;
	FLEET_IO(self, rc = proxy ? hap_snapshot_new_proxy(&s, self->h, what, proxy, &err)
	                          : hap_snapshot_new(&s, self->h, what, &err));
	if (rc)
		return raise_err(rc, &err);
	return snapshot_wrap((PyObject *)self, s);
}

static PyObject *fleet_exec(FleetObject *self, PyObject *args)
{
	struct hap_error err = { 0, "" };
	struct hap_result *r = NULL;
	const char *cmd;
	int rc;

	if (!PyArg_ParseTuple(args, "s", &cmd) || fleet_enter(self))
		return NULL;
	FLEET_IO(self, rc = hap_exec(&r, self->h, cmd, &err));
	if (rc)
		return raise_err(rc, &err);
	return result_to_list(r);
}

/* server_plan(change, server, backend=None, value=None, port=None) */
static PyObject *fleet_server_plan(FleetObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "change", "server", "backend", "value", "port", NULL };
	struct hap_server_op op = { 0 };
	struct hap_error err = { 0, "" };
	struct hap_plan *p = NULL;
	int change, rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "is|zzz", kwlist, &change, &op.server,
	                                 &op.backend, &op.value, &op.port) ||
	    fleet_enter(self))
		return NULL;
	op.change = (enum hap_server_change)change;
	FLEET_IO(self, rc = hap_server_plan(&p, self->h, &op, &err));
	if (rc)
		return raise_err(rc, &err);
	return plan_wrap((PyObject *)self, p);
}

/* frontend_plan(change, names, value=None) */
static PyObject *fleet_frontend_plan(FleetObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "change", "names", "value", NULL };
	struct hap_frontend_op op = { 0 };
	struct hap_error err = { 0, "" };
	struct hap_plan *p = NULL;
	PyObject *names, *fast;
	const char **v = NULL;
	Py_ssize_t i, n;
	int change, rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "iO|z", kwlist, &change, &names, &op.value) ||
	    fleet_enter(self))
		return NULL;
	fast = PySequence_Fast(names, "names must be a sequence of str");
	if (!fast)
		return NULL;
	n = PySequence_Fast_GET_SIZE(fast);
	v = PyMem_Calloc((size_t)(n ? n : 1), sizeof(*v));
	if (!v) {
		Py_DECREF(fast);
		return PyErr_NoMemory();
	}
	for (i = 0; i < n; i++) {
		v[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(fast, i));
		if (!v[i]) {
			PyMem_Free(v);
			Py_DECREF(fast);
			return NULL;
		}
	}
	op.change = (enum hap_frontend_change)change;
	op.names = v;
	op.nnames = (size_t)n;
	FLEET_IO(self, rc = hap_frontend_plan(&p, self->h, &op, &err));
	PyMem_Free(v);
	Py_DECREF(fast);
	if (rc)
		return raise_err(rc, &err);
	return plan_wrap((PyObject *)self, p);
}

/* global_plan(change, value=None) */
static PyObject *fleet_global_plan(FleetObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "change", "value", NULL };
	struct hap_global_op op = { 0 };
	struct hap_error err = { 0, "" };
	struct hap_plan *p = NULL;
	int change, rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "i|z", kwlist, &change, &op.value) ||
	    fleet_enter(self))
		return NULL;
	op.change = (enum hap_global_change)change;
	FLEET_IO(self, rc = hap_global_plan(&p, self->h, &op, &err));
	if (rc)
		return raise_err(rc, &err);
	return plan_wrap((PyObject *)self, p);
}

/* pattern_plan(kind, verb, id, key=None, value=None) -> (Plan, file, note) */
static PyObject *fleet_pattern_plan(FleetObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "kind", "verb", "id", "key", "value", NULL };
	struct hap_pattern_op op = { 0 };
	struct hap_pattern_target t; /* borrowed from the plan */
	struct hap_error err = { 0, "" };
	struct hap_plan *p = NULL;
	PyObject *plan;
	int kind, verb, rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "iis|zz", kwlist, &kind, &verb, &op.id, &op.key,
	                                 &op.value) ||
	    fleet_enter(self))
		return NULL;
	op.kind = (enum hap_pattern_kind)kind;
	op.verb = (enum hap_pattern_verb)verb;
	FLEET_IO(self, rc = hap_pattern_plan(&p, &t, self->h, &op, &err));
	if (rc)
		return raise_err(rc, &err);
	plan = plan_wrap((PyObject *)self, p);
	if (!plan)
		return NULL;
	return Py_BuildValue("(NNN)", plan, str_or_none(t.file), str_or_none(t.note));
}

/*
 * pattern_read(kind, verb, id, key=None) -> (file, note, agree,
 *   [(instance, code, message, [(ref, key, value)], answer)])
 */
static PyObject *fleet_pattern_read(FleetObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "kind", "verb", "id", "key", NULL };
	struct hap_pattern_op op = { 0 };
	struct hap_error err = { 0, "" };
	struct hap_pattern_read *r = NULL;
	const struct hap_pattern_target *t;
	const struct hap_result *res;
	PyObject *list = NULL, *ret = NULL;
	int kind, verb, rc;
	size_t i, e, n;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "iis|z", kwlist, &kind, &verb, &op.id,
	                                 &op.key) ||
	    fleet_enter(self))
		return NULL;
	op.kind = (enum hap_pattern_kind)kind;
	op.verb = (enum hap_pattern_verb)verb;
	FLEET_IO(self, rc = hap_pattern_read_new(&r, self->h, &op, &err));
	if (rc)
		return raise_err(rc, &err);
	res = hap_pattern_read_result(r);
	n = hap_result_count(res);
	list = PyList_New((Py_ssize_t)n);
	for (i = 0; list && i < n; i++) {
		const char *msg = hap_result_message(res, i);
		int code = hap_result_code(res, i);
		size_t ne = code ? 0 : hap_pattern_read_entry_count(r, i);
		PyObject *entries = PyList_New((Py_ssize_t)ne), *row;

		for (e = 0; entries && e < ne; e++) {
			struct hap_pattern_entry pe;
			PyObject *et;

			if (hap_pattern_read_entry(&pe, r, i, e)) {
				Py_CLEAR(entries);
				raise_code(HAP_ERROR, "cannot read a pattern entry");
				break;
			}
			et = Py_BuildValue("(NNN)", str_or_none(pe.ref), str_or_none(pe.key),
			                   str_or_none(pe.value));
			if (!et) {
				Py_CLEAR(entries);
				break;
			}
			PyList_SET_ITEM(entries, (Py_ssize_t)e, et);
		}
		if (!entries) {
			Py_CLEAR(list);
			break;
		}
		row = Py_BuildValue("(NiNNN)", str_or_none(hap_result_instance(res, i)), code,
		                    str_or_none(msg), entries,
		                    str_or_none(hap_pattern_read_answer(r, i)));
		if (!row) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, row);
	}
	if (list) {
		t = hap_pattern_read_target(r);
		ret = Py_BuildValue("(NNNN)", str_or_none(t->file), str_or_none(t->note),
		                    PyBool_FromLong(hap_pattern_read_agree(r)), list);
	}
	hap_pattern_read_free(r);
	return ret;
}

static PyMethodDef fleet_methods[] = {
	{ "endpoints", (PyCFunction)fleet_endpoints, METH_NOARGS, "the endpoints as added" },
	{ "snapshot", (PyCFunction)(void (*)(void))fleet_snapshot, METH_VARARGS | METH_KEYWORDS,
	  "snapshot(what=SNAP_ALL, proxy=None) -> Snapshot (one parallel read)" },
	{ "exec", (PyCFunction)fleet_exec, METH_VARARGS,
	  "exec(cmd) -> [(instance, None, command, code, reply, sent)]" },
	{ "server_plan", (PyCFunction)(void (*)(void))fleet_server_plan,
	  METH_VARARGS | METH_KEYWORDS,
	  "server_plan(change, server, backend=None, value=None, port=None) -> Plan" },
	{ "frontend_plan", (PyCFunction)(void (*)(void))fleet_frontend_plan,
	  METH_VARARGS | METH_KEYWORDS, "frontend_plan(change, names, value=None) -> Plan" },
	{ "global_plan", (PyCFunction)(void (*)(void))fleet_global_plan,
	  METH_VARARGS | METH_KEYWORDS, "global_plan(change, value=None) -> Plan" },
	{ "pattern_plan", (PyCFunction)(void (*)(void))fleet_pattern_plan,
	  METH_VARARGS | METH_KEYWORDS,
	  "pattern_plan(kind, verb, id, key=None, value=None) -> (Plan, file, note)" },
	{ "pattern_read", (PyCFunction)(void (*)(void))fleet_pattern_read,
	  METH_VARARGS | METH_KEYWORDS,
	  "pattern_read(kind, verb, id, key=None) -> (file, note, agree, [(instance, code, "
	  "message, [(ref, key, value)], answer)])" },
	{ NULL, NULL, 0, NULL },
};

static PyTypeObject FleetType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_haproxyadmin.Fleet",
	.tp_basicsize = sizeof(FleetObject),
	.tp_dealloc = (destructor)fleet_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = "Fleet(endpoints, timeout_ms=0, retries=0, parallel=0): HAProxy instances "
	          "reached through endpoints (socket, directory, tcp:HOST:PORT, master:...).",
	.tp_methods = fleet_methods,
	.tp_init = (initproc)fleet_init,
	.tp_new = PyType_GenericNew,
};

/* ------------------------------------------------------------------ module */

static PyObject *mod_strerror(PyObject *m, PyObject *args)
{
	int code;

	(void)m;
	if (!PyArg_ParseTuple(args, "i", &code))
		return NULL;
	return PyUnicode_FromString(hap_strerror(code));
}

static PyObject *mod_field_rule(PyObject *m, PyObject *args)
{
	const char *field;
	int type;

	(void)m;
	if (!PyArg_ParseTuple(args, "is", &type, &field))
		return NULL;
	return PyUnicode_FromString(hap_rule_name(hap_field_rule(type, field)));
}

static PyObject *mod_known_fields(PyObject *m, PyObject *args)
{
	size_t i, n;
	PyObject *list;
	int type;

	(void)m;
	if (!PyArg_ParseTuple(args, "i", &type))
		return NULL;
	n = hap_known_field_count(type);
	list = PyList_New((Py_ssize_t)n);
	for (i = 0; list && i < n; i++) {
		PyObject *v = str_or_none(hap_known_field(type, i));
		if (!v) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, v);
	}
	return list;
}

static PyObject *mod_name_check(PyObject *m, PyObject *args)
{
	struct hap_error err = { 0, "" };
	const char *what, *name;
	int rc;

	(void)m;
	if (!PyArg_ParseTuple(args, "ss", &what, &name))
		return NULL;
	rc = hap_name_check(what, name, &err);
	if (rc)
		return raise_err(rc, &err);
	Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
	{ "strerror", mod_strerror, METH_VARARGS, "strerror(code) -> name of an error code" },
	{ "field_rule", mod_field_rule, METH_VARARGS,
	  "field_rule(type, field) -> 'agree', 'sum', 'max', 'min' or 'avg'" },
	{ "known_fields", mod_known_fields, METH_VARARGS,
	  "known_fields(type) -> fields of an object type (-1: show info)" },
	{ "name_check", mod_name_check, METH_VARARGS,
	  "name_check(what, name): raise Error when name is outside HAProxy's charset" },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef module_def = {
	PyModuleDef_HEAD_INIT,
	"_haproxyadmin",
	"libhaproxyadmin's public API (the C core under the haproxyadmin package).",
	-1,
	module_methods,
	NULL,
	NULL,
	NULL,
	NULL,
};

struct iconst {
	const char *name;
	long value;
};

static const struct iconst constants[] = {
	{ "OBJ_FRONTEND", HAP_OBJ_FRONTEND },
	{ "OBJ_BACKEND", HAP_OBJ_BACKEND },
	{ "OBJ_SERVER", HAP_OBJ_SERVER },
	{ "SNAP_FRONTENDS", HAP_SNAP_FRONTENDS },
	{ "SNAP_BACKENDS", HAP_SNAP_BACKENDS },
	{ "SNAP_SERVERS", HAP_SNAP_SERVERS },
	{ "SNAP_ALL", HAP_SNAP_ALL },
	{ "SNAP_ACLS", HAP_SNAP_ACLS },
	{ "SNAP_MAPS", HAP_SNAP_MAPS },
	{ "INST_OLD_WORKER", HAP_INST_OLD_WORKER },
	{ "INST_DUPLICATE", HAP_INST_DUPLICATE },
	{ "INST_EXCLUDED", HAP_INST_EXCLUDED },
	{ "SERVER_WEIGHT", HAP_SERVER_WEIGHT },
	{ "SERVER_STATE", HAP_SERVER_STATE },
	{ "SERVER_ENABLE", HAP_SERVER_ENABLE },
	{ "SERVER_DISABLE", HAP_SERVER_DISABLE },
	{ "SERVER_ADDR", HAP_SERVER_ADDR },
	{ "SERVER_HEALTH", HAP_SERVER_HEALTH },
	{ "SERVER_AGENT", HAP_SERVER_AGENT },
	{ "SERVER_CHECK", HAP_SERVER_CHECK },
	{ "SERVER_AGENT_CHECK", HAP_SERVER_AGENT_CHECK },
	{ "SERVER_MAXCONN", HAP_SERVER_MAXCONN },
	{ "SERVER_SHUTDOWN_SESSIONS", HAP_SERVER_SHUTDOWN_SESSIONS },
	{ "FRONTEND_ENABLE", HAP_FRONTEND_ENABLE },
	{ "FRONTEND_DISABLE", HAP_FRONTEND_DISABLE },
	{ "FRONTEND_SHUTDOWN", HAP_FRONTEND_SHUTDOWN },
	{ "FRONTEND_MAXCONN", HAP_FRONTEND_MAXCONN },
	{ "GLOBAL_MAXCONN", HAP_GLOBAL_MAXCONN },
	{ "GLOBAL_RATE_CONNECTIONS", HAP_GLOBAL_RATE_CONNECTIONS },
	{ "GLOBAL_RATE_SESSIONS", HAP_GLOBAL_RATE_SESSIONS },
	{ "GLOBAL_RATE_SSL_SESSIONS", HAP_GLOBAL_RATE_SSL_SESSIONS },
	{ "GLOBAL_RATE_HTTP_COMPRESSION", HAP_GLOBAL_RATE_HTTP_COMPRESSION },
	{ "GLOBAL_CLEAR_COUNTERS", HAP_GLOBAL_CLEAR_COUNTERS },
	{ "GLOBAL_CLEAR_COUNTERS_ALL", HAP_GLOBAL_CLEAR_COUNTERS_ALL },
	{ "PAT_ACL", HAP_PATTERN_ACL },
	{ "PAT_MAP", HAP_PATTERN_MAP },
	{ "PATTERN_SHOW", HAP_PATTERN_SHOW },
	{ "PATTERN_GET", HAP_PATTERN_GET },
	{ "PATTERN_ADD", HAP_PATTERN_ADD },
	{ "PATTERN_SET", HAP_PATTERN_SET },
	{ "PATTERN_DEL", HAP_PATTERN_DEL },
	{ "PATTERN_CLEAR", HAP_PATTERN_CLEAR },
	{ "OK", HAP_OK },
	{ "ERROR", HAP_ERROR },
	{ "ENOMEM", HAP_ENOMEM },
	{ "EINVAL", HAP_EINVAL },
	{ "ERANGE", HAP_ERANGE },
	{ "EIO", HAP_EIO },
	{ "ETIMEDOUT", HAP_ETIMEDOUT },
	{ "EPROTO", HAP_EPROTO },
	{ "EREFUSED", HAP_EREFUSED },
	{ "ENOTFOUND", HAP_ENOTFOUND },
	{ "ECONNREFUSED", HAP_ECONNREFUSED },
	{ "EACCES", HAP_EACCES },
	{ "ETOOBIG", HAP_ETOOBIG },
	{ "EPERM", HAP_EPERM },
	{ "EBUSY", HAP_EBUSY },
	{ "ENOENT", HAP_ENOENT },
	{ "EPARTIAL", HAP_EPARTIAL },
	{ NULL, 0 },
};

static PyObject *disagree_repr(PyObject *self)
{
	(void)self;
	return PyUnicode_FromString("DISAGREE");
}

static PyTypeObject DisagreeType = {
	PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_haproxyadmin.DisagreeType",
	.tp_basicsize = sizeof(PyObject),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "The marker of a value the instances disagree on.",
	.tp_repr = disagree_repr,
	.tp_new = PyType_GenericNew,
};

PyMODINIT_FUNC PyInit__haproxyadmin(void);

PyMODINIT_FUNC PyInit__haproxyadmin(void)
{
	const struct iconst *c;
	PyObject *m;

	if (PyType_Ready(&FleetType) < 0 || PyType_Ready(&SnapshotType) < 0 ||
	    PyType_Ready(&ObjectType) < 0 || PyType_Ready(&PlanType) < 0 ||
	    PyType_Ready(&DisagreeType) < 0)
		return NULL;
	m = PyModule_Create(&module_def);
	if (!m)
		return NULL;
	HapErrorType = PyErr_NewExceptionWithDoc(
	        "_haproxyadmin.Error",
	        "A failed library call: str() is its one-line message, .code the negative "
	        "enum hap_err, .codename its name.",
	        NULL, NULL);
	Disagree = PyObject_CallNoArgs((PyObject *)&DisagreeType);
	if (!HapErrorType || !Disagree)
		goto fail;
	Py_INCREF(HapErrorType);
	if (PyModule_AddObject(m, "Error", HapErrorType) < 0)
		goto fail;
	Py_INCREF(Disagree);
	if (PyModule_AddObject(m, "DISAGREE", Disagree) < 0)
		goto fail;
	Py_INCREF(&FleetType);
	if (PyModule_AddObject(m, "Fleet", (PyObject *)&FleetType) < 0)
		goto fail;
	Py_INCREF(&SnapshotType);
	PyModule_AddObject(m, "Snapshot", (PyObject *)&SnapshotType);
	Py_INCREF(&ObjectType);
	PyModule_AddObject(m, "Object", (PyObject *)&ObjectType);
	Py_INCREF(&PlanType);
	PyModule_AddObject(m, "Plan", (PyObject *)&PlanType);
	for (c = constants; c->name; c++)
		if (PyModule_AddIntConstant(m, c->name, c->value) < 0)
			goto fail;
	if (PyModule_AddStringConstant(m, "version", HAP_VERSION) < 0)
		goto fail;
	return m;
fail:
	Py_DECREF(m);
	return NULL;
}
