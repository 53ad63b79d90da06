/*
 * top_refresh.c - how `haproxyadmin top` reads: the reader process started
 * every interval, its command line, the pipe pumped without blocking the
 * screen, and the read parsed in slices between keys. The loop is in top.c.
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "top.h"
#include "top_curses.h"
#include "top_ui.h"

/* ---------------------------------------------------------------- refresh */

/*
 * The reader is this program again (/proc/self/exe with the same command
 * line, plus --x-reader=MASK), spawned without copying the screen's memory:
 * a forked copy of a big model would make every page the screen then
 * touches a copy-on-write fault. It writes its read to the pipe and exits.
 */
void top_start_refresh(struct top *t)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int fds[2], err;
	pid_t pid;
	char arg[64];
	extern char **environ;

	if (!t->argv) {
		top_set_status(t, 1, "cannot refresh: the command line could not be read");
		t->next_at = top_now_s() + t->interval_ms / 1000.0;
		return;
	}
	if (pipe2(fds, O_CLOEXEC)) {
		top_set_status(t, 1, "cannot refresh: pipe: %s", strerror(errno));
		t->next_at = top_now_s() + t->interval_ms / 1000.0;
		return;
	}
	snprintf(arg, sizeof(arg), "--x-reader=%u", (unsigned)top_view_mask(t->view));
	t->argv[t->argc] = arg;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&at);
	/* its own process group: Ctrl-C and terminal signals are the screen's */
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	err = posix_spawn(&pid, "/proc/self/exe", &fa, &at, t->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	t->argv[t->argc] = NULL;
	close(fds[1]);
	if (err) {
		close(fds[0]);
		top_set_status(t, 1, "cannot refresh: spawn: %s", strerror(err));
		t->next_at = top_now_s() + t->interval_ms / 1000.0;
		return;
	}
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
#ifdef F_SETPIPE_SZ
	/* fewer wake-ups for a big read (best effort: the default still works) */
	fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
#endif
	t->child = pid;
	t->rfd = fds[0];
	t->rlen = 0;
	t->started = top_now_s();
	t->next_at = t->started + t->interval_ms / 1000.0;
	t->want_refresh = 0;
}

/* The original command line, from /proc/self/cmdline, with one free slot
 * at the end (for --x-reader) and a NULL. */
int top_load_argv(struct top *t)
{
	FILE *f = fopen("/proc/self/cmdline", "r");
	size_t len = 0, cap = 4096, i, n = 0;
	char *buf = malloc(cap);
	int ch;

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return -1;
	}
	while ((ch = fgetc(f)) != EOF) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				fclose(f);
				free(buf);
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		buf[len++] = (char)ch;
	}
	fclose(f);
	buf[len] = '\0';
	for (i = 0; i < len; i++)
		if (!buf[i])
			n++;
	t->argv = calloc(n + 2, sizeof(*t->argv));
	if (!t->argv) {
		free(buf);
		return -1;
	}
	t->argcmd = buf;
	for (i = 0; i < len && t->argc < n; i += strlen(buf + i) + 1)
		t->argv[t->argc++] = buf + i;
	return 0;
}

void top_end_child(struct top *t, int kill_it)
{
	int st;

	if (t->child <= 0)
		return;
	if (kill_it)
		kill(t->child, SIGKILL);
	while (waitpid(t->child, &st, 0) < 0 && errno == EINTR)
		;
	t->child = 0;
	if (t->rfd >= 0)
		close(t->rfd);
	t->rfd = -1;
}

/* Fault events between two reads: restarts and instances that stopped answering. */
static void report_faults(struct top *t, const struct top_model *prev)
{
	size_t i, j, bad = 0;
	char msg[768] = "";
	size_t ml = 0;

	for (i = 0; i < t->m.ninst; i++) {
		const struct top_inst *in = &t->m.inst[i];
		const struct top_inst *o = NULL;

		for (j = 0; prev && j < prev->ninst; j++)
			if (strcmp(prev->inst[j].name, in->name) == 0) {
				o = &prev->inst[j];
				break;
			}
		if (in->status) {
			int b;

			bad++;
			if (ml < sizeof(msg))
				ml += (size_t)snprintf(msg + ml, sizeof(msg) - ml, "%s%s: %s",
				                       ml ? "; " : "", in->name,
				                       top_inst_health(t, in, &b));
		} else if (o && !o->status && in->restarted && in->restarted_at == t->m.at) {
			if (ml < sizeof(msg))
				ml += (size_t)snprintf(msg + ml, sizeof(msg) - ml,
				                       "%s%s restarted (pid %lld -> %lld)",
				                       ml ? "; " : "", in->name, (long long)o->pid,
				                       (long long)in->pid);
		} else if (o && o->status && !in->status) {
			if (ml < sizeof(msg))
				ml += (size_t)snprintf(msg + ml, sizeof(msg) - ml,
				                       "%s%s answers again", ml ? "; " : "",
				                       in->name);
		}
	}
	if (top_now_s() < t->status_hold)
		return; /* a key's answer is still being read */
	if (ml)
		top_set_status(t, bad > 0, "%s", msg);
	else if (t->status_bad && !bad && t->mode != MODE_CONFIRM)
		top_set_status(t, 0, "every instance answers");
}

/* The read ended: parse it in slices (step_parse) between key presses. */
static void finish_refresh(struct top *t)
{
	double at = top_now_s();
	char *buf = t->rbuf;
	size_t cap = t->rcap;

	top_end_child(t, 0);
	t->last_read_ms = (at - t->started) * 1000;
	t->rbuf = NULL;
	t->rcap = 0;
	if (top_parse_start(&t->parse, buf, t->rlen, cap, at, t->have ? &t->m : NULL)) {
		top_set_status(t, 1, "refresh failed: %s",
		               t->parse ? top_parse_model(t->parse)->err : "out of memory");
		top_parse_free(t->parse);
		t->parse = NULL;
	}
}

/* One slice of the parse (about 2 ms); the new read replaces the old one
 * when it is done. */
void top_step_parse(struct top *t)
{
	struct top_model nm, old;
	const struct top_row *selr = NULL;
	char *name = NULL, *backend = NULL;
	int type = 0, ret;
	int32_t k = -1;
	double t0 = top_now_s();

	ret = top_parse_step(t->parse, 0.002);
	if (ret == 1)
		goto out;
	if (ret < 0) {
		top_set_status(t, 1, "refresh failed: %s", top_parse_model(t->parse)->err);
		top_parse_free(t->parse);
		t->parse = NULL;
		goto out;
	}
	top_parse_take(t->parse, &nm);
	top_parse_free(t->parse);
	t->parse = NULL;
	if (t->sel < t->nlines) {
		selr = &t->m.rows[t->lines[t->sel].row];
		type = selr->type;
		name = strdup(selr->name);
		backend = selr->backend ? strdup(selr->backend) : NULL;
		k = t->lines[t->sel].k;
	}
	old = t->m;
	t->m = nm;
	t->refreshes++;
	if (top_build_natural(t) || top_build_lines(t)) {
		top_set_status(t, 1, "out of memory");
		t->quit = 1;
	}
	top_reselect(t, type, backend, name, k);
	if (!t->have)
		top_set_status(t, 0, "%zu rows from %zu instance%s, read in %.0f ms", t->m.nrows,
		               t->m.ninst, t->m.ninst == 1 ? "" : "s", t->last_read_ms);
	report_faults(t, t->have ? &old : NULL);
	t->have = 1;
	/* the old read's buffer takes the next one */
	t->rbuf = old.buf;
	t->rcap = old.cap;
	old.buf = NULL;
	top_model_release(&old);
	free(name);
	free(backend);
out:
	if ((top_now_s() - t0) * 1000 > t->finish_max_ms)
		t->finish_max_ms = (top_now_s() - t0) * 1000;
}

/* Read what the reader sent so far; a bounded amount per call so keys are
 * served in between. */
void top_pump(struct top *t)
{
	size_t budget = 4 << 20;

	while (budget) {
		ssize_t r;

		if (t->rcap - t->rlen < 65536) {
			size_t cap = t->rcap ? t->rcap * 2 : 1 << 20;
			char *nb = realloc(t->rbuf, cap);

			if (!nb) {
				top_end_child(t, 1);
				top_set_status(t, 1, "refresh failed: out of memory");
				return;
			}
			t->rbuf = nb;
			t->rcap = cap;
		}
		r = read(t->rfd, t->rbuf + t->rlen, t->rcap - t->rlen);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			top_end_child(t, 1);
			top_set_status(t, 1, "refresh failed: %s", strerror(errno));
			return;
		}
		if (r == 0) {
			finish_refresh(t);
			return;
		}
		t->rlen += (size_t)r;
		budget -= (size_t)r < budget ? (size_t)r : budget;
	}
}
