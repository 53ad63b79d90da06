/*
 * dispatch.c - what every command's handler calls: its diagnostics (one
 * line each, control bytes escaped) and the dispatch of an object's verbs
 * (help, options, the row of the verb table). The global options, the
 * fleet and the table of objects are main.c's.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxyadmin.h"
#include "cli.h"
#include "width.h"

static void vdiag(struct cli *c, const char *fmt, va_list ap)
{
	char msg[4096], line[4096 * 4 + 128];
	const unsigned char *p;
	size_t n;

	/* one write per line: stderr is unbuffered, and a change of 8,000
	 * servers may say 8,000 lines */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = (size_t)snprintf(line, sizeof(line), "%s: ", c->prog);
	if (n >= sizeof(line))
		n = 0;
	for (p = (const unsigned char *)msg; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "\\x%02x", *p);
		else
			line[n++] = (char)*p;
	}
	line[n++] = '\n';
	fwrite(line, 1, n, stderr);
}

void cli_err(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, fmt, ap);
	va_end(ap);
}

int cli_usage(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

void cli_verb_help(const char *object, const struct cli_verb *v)
{
	char line[1024];

	snprintf(line, sizeof(line), "%s %s%s%s", object, v->name, *v->usage ? " " : "", v->usage);
	wrap_print(stdout, "usage: haproxyadmin ", "           ", line, HELP_WIDTH);
	fputc('\n', stdout);
	wrap_print(stdout, "", "", v->summary, HELP_WIDTH);
}

int cli_verb_opts(struct cli *c, const char *object, const struct cli_verb *v, int argc,
                  char **argv, const char **backend)
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "backend", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	/* 0, not 1: GNU getopt then resets its state, options may follow arguments */
	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, backend ? "hb:" : "h", lopts, NULL)) != -1) {
		switch (o) {
		case 'h':
			cli_verb_help(object, v);
			return EXIT_OK;
		case 'b':
			if (!backend)
				return cli_usage(c, "%s %s: no option -b", object, v->name);
			if (*backend) /* never silently drop a repeated option */
				return cli_usage(
				        c, "%s %s: -b given twice (this verb takes one backend)",
				        object, v->name);
			*backend = optarg;
			break;
		default:
			if (optopt == 'b')
				return cli_usage(c, "%s %s: -b needs a backend name", object,
				                 v->name);
			if (optind > 0 && argv[optind - 1][0] == '-' &&
			    argv[optind - 1][1] >= '0' && argv[optind - 1][1] <= '9')
				return cli_usage(c,
				                 "%s %s: invalid value '%s': no negative number is "
				                 "valid here",
				                 object, v->name, argv[optind - 1]);
			return cli_usage(c, "%s %s: unknown option '%s'", object, v->name,
			                 argv[optind - 1]);
		}
	}
	return -1;
}

int cli_dispatch(struct cli *c, const char *object, const struct cli_verb *verbs, int argc,
                 char **argv)
{
	const struct cli_verb *v;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		FILE *f = argc < 2 ? stderr : stdout;

		fprintf(f, "usage: haproxyadmin %s VERB [ARGS]\n\nverbs:\n", object);
		for (v = verbs; v->name; v++) {
			char line[1024];

			snprintf(line, sizeof(line), "%s %s%s%s", object, v->name,
			         *v->usage ? " " : "", v->usage);
			wrap_print(f, "  ", "        ", line, HELP_WIDTH);
			wrap_print(f, "      ", "      ", v->summary, HELP_WIDTH);
		}
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (v = verbs; v->name; v++) {
		if (strcmp(v->name, argv[1]) != 0)
			continue;
		if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
			cli_verb_help(object, v);
			return EXIT_OK;
		}
		c->verb = v;
		return v->fn(c, argc - 1, argv + 1);
	}
	return cli_usage(c, "'%s %s' is not a command; see 'haproxyadmin %s --help'", object,
	                 argv[1], object);
}
