/*
 * top.c - `haproxyadmin top`: the live, merged view of the whole fleet.
 *
 * One thread, one poll() loop over the terminal and the pipe of the reader:
 * every interval a child process takes one snapshot through the library and
 * sends a compact serialization (top_read.c), so a slow or hung instance
 * never freezes the screen. The screen draws only the visible rows. Actions
 * go through the same plans as the CLI (hap_server_plan, hap_plan_apply),
 * after a confirmation line naming the instances they touch.
 *
 * Must never: leave the terminal in curses mode on any exit path, or write
 * to a socket without a confirmation.
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "top.h"
#include "top_curses.h"
#include "top_ui.h"

static volatile sig_atomic_t got_signal;
static int curses_on;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void on_fatal(int sig)
{
	/* best effort: give the terminal back before dying */
	if (curses_on)
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void screen_end(void)
{
	if (curses_on) {
		endwin();
		curses_on = 0;
	}
}

static void screen_start(struct top *t)
{
	const char *nc = getenv("NO_COLOR");

	set_escdelay(25);
	initscr();
	curses_on = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	t->color = has_colors() && !(nc && *nc);
	if (t->color) {
		start_color();
		use_default_colors();
		init_pair(C_OK, COLOR_GREEN, -1);
		init_pair(C_BAD, COLOR_RED, -1);
		init_pair(C_WARN, COLOR_YELLOW, -1);
		init_pair(C_HEAD, COLOR_BLACK, COLOR_CYAN);
		init_pair(C_DIS, COLOR_BLACK, COLOR_YELLOW);
	}
}

/* ---------------------------------------------------------------- the command */

static int parse_interval(const char *s, int *ms)
{
	double v;

	if (hap_decimal_parse(&v, s, 0.1, 3600))
		return -1;
	*ms = (int)(v * 1000 + 0.5);
	return 0;
}

static void usage_top(FILE *f)
{
	fprintf(f, "usage: haproxyadmin [-s SOCKET]... top [--interval S] [-b BACKEND]...\n"
	           "        [--filter TEXT] [--read-only]\n\n"
	           "The live view of the whole fleet, merged across instances, refreshed from\n"
	           "one snapshot every S seconds (default 2).\n"
	           "Keys: 1 status, 2 traffic, 3 HTTP, 4 instances; arrows, PgUp/PgDn,\n"
	           "Home/End (g/G); Enter expands a row per instance; / filter (Escape\n"
	           "clears), s sort column, S reverse, b fold a backend, space tags a server,\n"
	           "u untags; w weight, d drain, m maint, r ready, K shut down sessions, h/a\n"
	           "health/agent checks (each confirmed); q quits.\n"
	           "--read-only (or -n) disables the actions.\n");
}

static void write_stats(struct top *t, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	fprintf(f, "refreshes %zu\nkeys %zu\nkey_max_ms %.2f\nkey_avg_ms %.2f\n", t->refreshes,
	        t->keys, t->key_max_ms, t->keys ? t->key_sum_ms / (double)t->keys : 0.0);
	fprintf(f, "keys_inflight %zu\nkey_inflight_max_ms %.2f\nlast_read_ms %.1f\n",
	        t->keys_inflight, t->key_inflight_max_ms, t->last_read_ms);
	fprintf(f, "parse_slice_max_ms %.2f\nloop_busy_max_ms %.2f\n", t->finish_max_ms,
	        t->busy_max_ms);
	fclose(f);
}

/* The options of top: -1 to go on, else an exit status. */
static int top_opts(struct top *t, int argc, char **argv, int *reader, uint32_t *mask)
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "interval", required_argument, NULL, 'i' },
		{ "backend", required_argument, NULL, 'b' },
		{ "filter", required_argument, NULL, 'f' },
		{ "read-only", no_argument, NULL, 'R' },
		{ "x-reader", required_argument, NULL, 'X' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli *c = t->c;
	struct hap_error err = { 0, "" };
	int o;

	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "hi:b:f:", lopts, NULL)) != -1) {
		switch (o) {
		case 'h':
			usage_top(stdout);
			return EXIT_OK;
		case 'i':
			if (parse_interval(optarg, &t->interval_ms))
				return cli_usage(c,
				                 "top: --interval '%s' is not a number of seconds "
				                 "(0.1 to 3600)",
				                 optarg);
			break;
		case 'b':
			if (hap_name_check("backend", optarg, &err))
				return cli_usage(c, "top: %s", err.msg);
			t->backends[t->nb++] = optarg;
			break;
		case 'f':
			snprintf(t->filter, sizeof(t->filter), "%s", optarg);
			break;
		case 'R':
			t->read_only = 1;
			break;
		case 'X': /* internal: the reader of a running top (start_refresh) */
			*reader = 1;
			*mask = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		default:
			if (optopt && strchr("ibf", optopt))
				return cli_usage(c, "top: option -%c needs a value", optopt);
			return cli_usage(c, "top: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage(c, "top: unexpected argument '%s'", argv[optind]);
	return -1;
}

/* The screen, and the signals that must restore the terminal. */
static void top_screen(struct top *t)
{
	struct sigaction sa;

	/* every refresh allocates and frees tens of megabytes: keep them in the
	 * heap rather than mapping and faulting fresh pages each time */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	screen_start(t);
	/* after initscr: ours, not curses', so every exit path restores the terminal */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGSEGV, on_fatal);
	signal(SIGBUS, on_fatal);
	signal(SIGFPE, on_fatal);
	signal(SIGABRT, on_fatal);
}

/* Start a refresh when one is due, stop a reader past every deadline. */
static void top_tick(struct top *t, double now)
{
	struct cli *c = t->c;
	double deadline;

	if (t->child <= 0 && !t->parse && (t->want_refresh || now >= t->next_at))
		top_start_refresh(t);
	/* a reader that outlives every deadline is stopped, the others go on */
	deadline = t->started + t->interval_ms / 1000.0 +
	           2.0 * (c->opts.timeout_ms ? c->opts.timeout_ms : 2000) / 1000.0 + 30;
	if (t->child > 0 && now > deadline) {
		top_end_child(t, 1);
		top_set_status(t, 1, "refresh: the reader did not finish in time; stopped it");
	}
}

/* What poll() waits for: the terminal, and the reader's pipe while it runs.
 * Returns the number of descriptors; *timeout in ms. */
static int top_poll_set(struct top *t, struct pollfd *pfd, double now, int *timeout)
{
	int nfd = 1;

	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	pfd[0].revents = 0;
	if (t->child > 0) {
		pfd[1].fd = t->rfd;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		nfd = 2;
		*timeout = 1000;
	} else {
		*timeout = (int)((t->next_at - now) * 1000) + 1;
		if (t->want_refresh || t->parse || *timeout < 0)
			*timeout = 0;
		if (*timeout > 1000)
			*timeout = 1000;
	}
	return nfd;
}

/* Keys (and KEY_RESIZE after SIGWINCH): every one waiting, each timed. */
static void top_keys(struct top *t)
{
	int i;

	for (i = 0; i < 256 && !t->quit; i++) {
		double k0, ms;
		int ch = getch();

		if (ch == ERR)
			break;
		k0 = top_now_s();
		top_handle_key(t, ch);
		top_draw(t);
		ms = (top_now_s() - k0) * 1000;
		t->keys++;
		t->key_sum_ms += ms;
		if (ms > t->key_max_ms)
			t->key_max_ms = ms;
		if (t->child > 0) {
			t->keys_inflight++;
			if (ms > t->key_inflight_max_ms)
				t->key_inflight_max_ms = ms;
		}
	}
}

/* The loop: until q or a signal. */
static void top_loop(struct top *t)
{
	double woke = top_now_s();

	while (!t->quit && !got_signal) {
		struct pollfd pfd[2];
		int nfd, timeout;
		double now = top_now_s(), busy;

		if (t->parse) {
			top_step_parse(t);
			now = top_now_s();
		}
		top_tick(t, now);
		if (!t->parse)
			top_draw(t);
		nfd = top_poll_set(t, pfd, now, &timeout);
		/* the longest time away from the terminal: the bound of
		 * keypress-to-redraw, less the key's own handling */
		busy = (top_now_s() - woke) * 1000;
		if (busy > t->busy_max_ms)
			t->busy_max_ms = busy;
		if (poll(pfd, (nfds_t)nfd, timeout) < 0 && errno != EINTR)
			break;
		woke = top_now_s();
		if (nfd == 2 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
			top_pump(t);
		top_keys(t);
	}
}

static void top_release(struct top *t)
{
	top_pending_free(&t->pend);
	top_parse_free(t->parse);
	top_model_release(&t->m);
	free(t->rbuf);
	free(t->lines);
	free(t->natural);
	free(t->backends);
	free(t->argv);
	free(t->argcmd);
}

/* The reader of a running top: one snapshot, serialized to stdout. */
static int top_reader(struct top *t, uint32_t mask)
{
	int ret;

	/* the screen first: when both want the CPU, keys win */
	if (nice(5) < 0)
		errno = 0;
	ret = cli_fleet(t->c);
	if (!ret)
		ret = top_read_child(t->c->h, STDOUT_FILENO, t->backends, t->nb, mask);
	return ret;
}

/* After the options: the reader runs here; the screen needs a terminal and
 * the fleet. -1 to go on to the screen, else an exit status. */
static int top_prepare(struct top *t, int reader, uint32_t mask)
{
	char why[256];
	int ret;

	if (reader)
		return top_reader(t, mask);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cli_usage(t->c, "top: needs a terminal");
	if (top_curses_load(why, sizeof(why))) {
		cli_err(t->c, "top: %s", why);
		return EXIT_FAILED;
	}
	ret = cli_fleet(t->c);
	if (ret)
		return ret;
	if (top_load_argv(t)) {
		cli_err(t->c, "top: cannot read /proc/self/cmdline");
		return EXIT_FAILED;
	}
	return -1;
}

int cmd_top(struct cli *c, int argc, char **argv)
{
	struct top t;
	const char *stats = getenv("HAPROXYADMIN_TOP_STATS");
	int ret, reader = 0;
	uint32_t mask = 0;

	memset(&t, 0, sizeof(t));
	t.c = c;
	t.interval_ms = 2000;
	t.view = VIEW_STATUS;
	t.rfd = -1;
	t.read_only = c->dry_run;
	t.backends = calloc((size_t)argc + 1, sizeof(*t.backends));
	if (!t.backends)
		return EXIT_FAILED;
	ret = top_opts(&t, argc, argv, &reader, &mask);
	if (ret < 0)
		ret = top_prepare(&t, reader, mask);
	if (ret >= 0) {
		free(t.backends);
		return ret;
	}
	ret = EXIT_OK;
	top_screen(&t);
	top_set_status(&t, 0, "reading %zu endpoint%s...", hap_endpoint_count(c->h),
	               hap_endpoint_count(c->h) == 1 ? "" : "s");
	top_loop(&t);
	screen_end();
	top_end_child(&t, 1);
	if (stats)
		write_stats(&t, stats);
	if (got_signal == SIGINT)
		ret = 130;
	else if (got_signal)
		ret = 128 + got_signal;
	top_release(&t);
	return ret;
}
