/*
 * fleetconf.c - named fleets: which endpoints a command runs on.
 *
 * The file ($HAPROXYADMIN_CONFIG, else $XDG_CONFIG_HOME/haproxyadmin/fleets
 * (~/.config when unset), else /etc/haproxyadmin/fleets) is INI-like:
 *
 *	default = web            # optional: the fleet used without -s or -f
 *	[web]
 *	socket = /run/haproxy/web1.sock
 *	socket = tcp:10.0.0.2:9999
 *	timeout = 2              # optional: -t, -r and --parallel win over these
 *	retries = 1
 *	parallel = 64
 *
 * A section named "default" is the default fleet when no "default =" line
 * names one. Endpoints come from, in order: -s and -f (together), else
 * $HAPROXYADMIN_SOCKET, else the default fleet, else /run/haproxy.
 *
 * Must never: guess at a malformed line (it is an error naming file:line),
 * or go on silently when nothing says where the sockets are.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "rows.h"
#include "fleetconf.h"

#define RUN_DIR "/run/haproxy"

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q) {
		fputs("haproxyadmin: out of memory\n", stderr);
		exit(EXIT_FAILED);
	}
	return q;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fputs("haproxyadmin: out of memory\n", stderr);
		exit(EXIT_FAILED);
	}
	return d;
}

void fleetconf_free(struct fleetconf *fc)
{
	size_t i, j;

	if (!fc)
		return;
	for (i = 0; i < fc->n; i++) {
		for (j = 0; j < fc->fleets[i].nsockets; j++)
			free(fc->fleets[i].sockets[j]);
		free(fc->fleets[i].sockets);
		free(fc->fleets[i].name);
	}
	free(fc->fleets);
	free(fc->path);
	free(fc->default_name);
	free(fc);
}

/* The file to read: *explicit is set when $HAPROXYADMIN_CONFIG names it. */
static char *config_path(int *explicit)
{
	const char *env = getenv("HAPROXYADMIN_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char buf[4096];
	struct stat st;

	*explicit = 0;
	if (env && *env) {
		*explicit = 1;
		return xstrdup(env);
	}
	if (xdg && *xdg)
		snprintf(buf, sizeof(buf), "%s/haproxyadmin/fleets", xdg);
	else if (home && *home)
		snprintf(buf, sizeof(buf), "%s/.config/haproxyadmin/fleets", home);
	else
		buf[0] = '\0';
	if (buf[0] && stat(buf, &st) == 0)
		return xstrdup(buf);
	return xstrdup(FLEETCONF_SYSTEM);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

/* hap_decimal_parse(), digits only unless frac */
static int number(const char *s, double lo, double hi, int frac, double *out)
{
	if (!frac && strspn(s, "0123456789") != strlen(s))
		return -1;
	return hap_decimal_parse(out, s, lo, hi) ? -1 : 0;
}

struct fleet_def *fleetconf_find(const struct fleetconf *fc, const char *name)
{
	size_t i;

	for (i = 0; fc && i < fc->n; i++)
		if (strcmp(fc->fleets[i].name, name) == 0)
			return &fc->fleets[i];
	return NULL;
}

/* "[NAME]" at line lineno starts a fleet: 0, or -1 after saying why not. */
static int fleet_section(struct cli *c, struct fleetconf *fc, char *s, unsigned lineno,
                         struct fleet_def **cur)
{
	char *e = strchr(s, ']');

	if (!e || trim(e + 1)[0]) {
		cli_err(c, "%s:%u: a section is '[NAME]'", fc->path, lineno);
		return -1;
	}
	*e = '\0';
	s = trim(s + 1);
	if (!valid_name(s)) {
		cli_err(c, "%s:%u: invalid fleet name '%s' (letters, digits, -_.)", fc->path,
		        lineno, s);
		return -1;
	}
	if (fleetconf_find(fc, s)) {
		cli_err(c, "%s:%u: fleet '%s' defined twice", fc->path, lineno, s);
		return -1;
	}
	fc->fleets = xrealloc(fc->fleets, (fc->n + 1) * sizeof(*fc->fleets));
	*cur = &fc->fleets[fc->n++];
	memset(*cur, 0, sizeof(**cur));
	(*cur)->name = xstrdup(s);
	(*cur)->line = lineno;
	return 0;
}

/* "key = value" of fleet cur: 0, or -1 after saying why not. */
static int fleet_key(struct cli *c, struct fleetconf *fc, struct fleet_def *cur, const char *key,
                     const char *val, unsigned lineno)
{
	double v;

	if (strcmp(key, "socket") == 0) {
		cur->sockets = xrealloc(cur->sockets, (cur->nsockets + 1) * sizeof(*cur->sockets));
		cur->sockets[cur->nsockets++] = xstrdup(val);
	} else if (strcmp(key, "timeout") == 0) {
		if (number(val, 0.001, 3600, 1, &v)) {
			cli_err(c, "%s:%u: timeout '%s' is not a number of seconds", fc->path,
			        lineno, val);
			return -1;
		}
		cur->timeout_ms = (int)(v * 1000 + 0.5);
	} else if (strcmp(key, "retries") == 0) {
		if (number(val, 0, 100, 0, &v)) {
			cli_err(c, "%s:%u: retries '%s' is not 0..100", fc->path, lineno, val);
			return -1;
		}
		cur->retries = v ? (int)v : -1;
	} else if (strcmp(key, "parallel") == 0) {
		if (number(val, 1, 4096, 0, &v)) {
			cli_err(c, "%s:%u: parallel '%s' is not 1..4096", fc->path, lineno, val);
			return -1;
		}
		cur->parallel = (int)v;
	} else {
		cli_err(c, "%s:%u: unknown key '%s' (socket, timeout, retries, parallel)", fc->path,
		        lineno, key);
		return -1;
	}
	return 0;
}

/* One line of the file (trimmed, not empty, not a comment): 0, or -1
 * after saying why not. */
static int fleet_line(struct cli *c, struct fleetconf *fc, char *s, unsigned lineno,
                      struct fleet_def **cur)
{
	char *eq, *key, *val;

	if (*s == '[')
		return fleet_section(c, fc, s, lineno, cur);
	eq = strchr(s, '=');
	if (!eq) {
		cli_err(c, "%s:%u: expected 'key = value' or '[NAME]'", fc->path, lineno);
		return -1;
	}
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!*val) {
		cli_err(c, "%s:%u: '%s' needs a value", fc->path, lineno, key);
		return -1;
	}
	if (*cur)
		return fleet_key(c, fc, *cur, key, val, lineno);
	if (strcmp(key, "default") != 0) {
		cli_err(c, "%s:%u: '%s' outside a [fleet] section", fc->path, lineno, key);
		return -1;
	}
	free(fc->default_name);
	fc->default_name = xstrdup(val);
	fc->default_line = lineno;
	return 0;
}

/* The whole file read: every fleet has sockets, the default exists. 0, or
 * -1 after saying why not. */
static int fleetconf_check(struct cli *c, struct fleetconf *fc)
{
	for (size_t i = 0; i < fc->n; i++)
		if (!fc->fleets[i].nsockets) {
			cli_err(c, "%s:%u: fleet '%s' has no 'socket =' line", fc->path,
			        fc->fleets[i].line, fc->fleets[i].name);
			return -1;
		}
	if (fc->default_name && !fleetconf_find(fc, fc->default_name)) {
		cli_err(c, "%s:%u: default fleet '%s' is not defined", fc->path, fc->default_line,
		        fc->default_name);
		return -1;
	}
	if (!fc->default_name && fleetconf_find(fc, "default"))
		fc->default_name = xstrdup("default");
	return 0;
}

int fleetconf_load(struct cli *c, struct fleetconf **out)
{
	struct fleetconf *fc = calloc(1, sizeof(*fc));
	struct fleet_def *cur = NULL;
	char line[4096];
	unsigned lineno = 0;
	int explicit, ret = EXIT_USAGE;
	FILE *f;

	*out = NULL;
	if (!fc) {
		cli_err(c, "out of memory");
		return EXIT_FAILED;
	}
	fc->path = config_path(&explicit);
	f = fopen(fc->path, "r");
	if (!f) {
		if (errno == ENOENT && !explicit) {
			*out = fc; /* no file: no fleets */
			return 0;
		}
		cli_err(c, "%s: %s", fc->path, strerror(errno));
		fleetconf_free(fc);
		return EXIT_USAGE;
	}
	fc->exists = 1;
	while (fgets(line, sizeof(line), f)) {
		char *s;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			cli_err(c, "%s:%u: line too long", fc->path, lineno);
			goto out;
		}
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (fleet_line(c, fc, s, lineno, &cur))
			goto out;
	}
	if (ferror(f)) {
		cli_err(c, "%s: read error", fc->path);
		goto out;
	}
	if (fleetconf_check(c, fc))
		goto out;
	ret = 0;
out:
	fclose(f);
	if (ret)
		fleetconf_free(fc);
	else
		*out = fc;
	return ret;
}

/* Whether dir holds a UNIX socket (what /run/haproxy would give). */
static int has_socket(const char *dir)
{
	char path[4096];
	struct dirent *de;
	struct stat st;
	int found = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		found = stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
	}
	closedir(d);
	return found;
}

static void add_spec(char ***specs, size_t *n, const char *s)
{
	*specs = xrealloc(*specs, (*n + 1) * sizeof(**specs));
	(*specs)[(*n)++] = xstrdup(s);
}

/* Options of a fleet apply where the command line left the default. */
static void apply_opts(struct cli *c, const struct fleet_def *fd)
{
	if (!c->opts.timeout_ms && fd->timeout_ms)
		c->opts.timeout_ms = fd->timeout_ms;
	if (!c->opts.retries && fd->retries)
		c->opts.retries = fd->retries;
	if (!c->opts.parallel && fd->parallel)
		c->opts.parallel = fd->parallel;
}

int fleetconf_endpoints(struct cli *c, char ***out, size_t *nout)
{
	const char *env = getenv("HAPROXYADMIN_SOCKET");
	struct fleetconf *fc = NULL;
	char **specs = NULL;
	size_t n = 0, i, j;
	int ret = 0;

	*out = NULL;
	*nout = 0;
	for (i = 0; i < c->nsockets; i++)
		add_spec(&specs, &n, c->sockets[i]);
	if (c->nfleets || (!c->nsockets && !(env && *env))) {
		ret = fleetconf_load(c, &fc);
		if (ret)
			goto out;
	}
	for (i = 0; i < c->nfleets; i++) {
		const struct fleet_def *fd = fleetconf_find(fc, c->fleets[i]);

		if (!fd) {
			ret = cli_usage(c, "-f: no fleet '%s' in %s; see 'haproxyadmin fleet list'",
			                c->fleets[i], fc->path);
			goto out;
		}
		apply_opts(c, fd);
		for (j = 0; j < fd->nsockets; j++)
			add_spec(&specs, &n, fd->sockets[j]);
	}
	if (n)
		goto out;
	if (env && *env) {
		/* several endpoints may be given, separated by commas */
		char *copy = xstrdup(env), *p, *save = NULL;

		for (p = copy; p; p = save) {
			save = strchr(p, ',');
			if (save)
				*save++ = '\0';
			if (*p)
				add_spec(&specs, &n, p);
		}
		free(copy);
	} else if (fc && fc->default_name) {
		const struct fleet_def *fd = fleetconf_find(fc, fc->default_name);

		apply_opts(c, fd);
		for (j = 0; j < fd->nsockets; j++)
			add_spec(&specs, &n, fd->sockets[j]);
	} else {
		if (!has_socket(RUN_DIR)) {
			cli_err(c, "no HAProxy socket given, and no socket in %s", RUN_DIR);
			cli_err(c, "point the tool at a runtime API socket: -s /path/to/admin.sock "
			           "(or a directory, tcp:HOST:PORT, master:PATH),");
			cli_err(c,
			        "or set HAPROXYADMIN_SOCKET, or name a fleet with -f (fleets "
			        "file: %s; see haproxyadmin-fleets(5))",
			        fc ? fc->path : FLEETCONF_SYSTEM);
			ret = EXIT_UNREACHABLE;
			goto out;
		}
		add_spec(&specs, &n, RUN_DIR);
	}
out:
	fleetconf_free(fc);
	if (ret) {
		for (i = 0; i < n; i++)
			free(specs[i]);
		free(specs);
		return ret;
	}
	*out = specs;
	*nout = n;
	return 0;
}

/* "fleet list": the fleets of the file; JSON names the file, the table
 * shows seconds and "-" for what is not set. */
enum { FL_FILE, FL_NAME, FL_DEFAULT, FL_TIMEOUT, FL_RETRIES, FL_PARALLEL, FL_SOCKETS, FL_N };
static const struct col fleet_cols[FL_N] = {
	{ NULL, "file", COL_TEXT },           { "FLEET", "name", COL_TEXT },
	{ "DEFAULT", "default", COL_TEXT },   { "TIMEOUT", "timeout_ms", COL_NUMBER },
	{ "RETRIES", "retries", COL_NUMBER }, { "PARALLEL", "parallel", COL_NUMBER },
	{ "SOCKETS", "sockets", COL_TEXT },
};

/* A setting: its number, or null ("-") when not set. */
static void fleet_setting(struct rows *t, size_t col, int set, int v)
{
	if (set)
		rows_num(t, col, v);
	else
		rows_null(t, col);
}

static void fleet_list_print(struct cli *c, const struct fleetconf *fc)
{
	struct rows *t = rows_new(c, fleet_cols, FL_N, ROWS_ONE, "fleets");
	size_t i;

	rows_row(t);
	rows_json_only(t);
	rows_str(t, FL_FILE, fc->path);
	rows_open(t, "fleets");
	for (i = 0; i < fc->n; i++) {
		const struct fleet_def *fd = &fc->fleets[i];
		char to[32];

		rows_child(t);
		rows_str(t, FL_NAME, fd->name);
		rows_bool(t, FL_DEFAULT,
		          fc->default_name && strcmp(fc->default_name, fd->name) == 0);
		fleet_setting(t, FL_TIMEOUT, fd->timeout_ms != 0, fd->timeout_ms);
		if (fd->timeout_ms) {
			snprintf(to, sizeof(to), "%g", fd->timeout_ms / 1000.0);
			rows_shown(t, FL_TIMEOUT, to);
		}
		fleet_setting(t, FL_RETRIES, fd->retries != 0, fd->retries < 0 ? 0 : fd->retries);
		fleet_setting(t, FL_PARALLEL, fd->parallel != 0, fd->parallel);
		rows_strs(t, FL_SOCKETS, (const char *const *)fd->sockets, fd->nsockets);
	}
	if (c->fmt == FMT_TABLE && !fc->exists)
		fprintf(stderr, "haproxyadmin: no fleets file (%s); see haproxyadmin-fleets(5)\n",
		        fc->path);
	rows_done(t);
}

static int fleet_list(struct cli *c, int argc, char **argv)
{
	struct fleetconf *fc;
	int ret;

	if (argc > 1)
		return cli_usage(c, "fleet list: unexpected argument '%s'", argv[1]);
	ret = fleetconf_load(c, &fc);
	if (ret)
		return ret;
	fleet_list_print(c, fc);
	fleetconf_free(fc);
	return EXIT_OK;
}

static const struct cli_verb fleet_verbs[] = {
	{ "list", fleet_list, "", "the named fleets of the fleets file (haproxyadmin-fleets(5))" },
	{ NULL, NULL, NULL, NULL },
};

int cmd_fleet(struct cli *c, int argc, char **argv)
{
	return cli_dispatch(c, "fleet", fleet_verbs, argc, argv);
}
