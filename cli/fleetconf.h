/*
 * fleetconf.h - named fleets from the fleets file (fleetconf.c).
 */
#ifndef HAP_CLI_FLEETCONF_H
#define HAP_CLI_FLEETCONF_H

#include <stddef.h>

struct cli;

#define FLEETCONF_SYSTEM "/etc/haproxyadmin/fleets"

struct fleet_def {
	char *name;
	char **sockets;
	size_t nsockets;
	int timeout_ms, retries, parallel; /* 0: not set (retries -1: none) */
	unsigned line;
};

struct fleetconf {
	char *path;
	int exists;
	struct fleet_def *fleets;
	size_t n;
	char *default_name; /* NULL: no default fleet */
	unsigned default_line;
};

/* Read the fleets file; a missing file (unless $HAPROXYADMIN_CONFIG names it)
 * is an empty one. 0 or an exit status (the error printed as FILE:LINE). */
int fleetconf_load(struct cli *c, struct fleetconf **out);
void fleetconf_free(struct fleetconf *fc);
struct fleet_def *fleetconf_find(const struct fleetconf *fc, const char *name);
/* The endpoints of this run: -s and -f, else $HAPROXYADMIN_SOCKET, else the
 * default fleet, else /run/haproxy (a hint when it does not exist). Sets
 * the fleet's options the command line left unset. Caller frees each
 * string and the array. 0 or an exit status. */
int fleetconf_endpoints(struct cli *c, char ***out, size_t *n);

#endif
