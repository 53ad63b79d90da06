/*
 * main.c - the haproxyadmin command line: global options and dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "haproxyadmin.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("haproxyadmin %s\n", HAP_VERSION);
		return 0;
	}
	fprintf(stderr, "usage: haproxyadmin [options] OBJECT VERB [ARGS]\n");
	return 2;
}
