/*
 * top_curses.c - opening the curses library for `top` (see top_curses.h).
 */
#define TOP_CURSES_LOADER
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "top_curses.h"

struct top_curses top_cs;

/* The wide-character library the headers came from first, then the
 * names other distributions give it (the ABI 6 of ncurses). */
static const char *const LIBS[] = {
	"libncursesw.so.6",
	"libncursesw.so",
	"libncurses.so.6",
	"libncurses.so",
};

/* Each entry: a symbol and where in top_cs its address goes. */
#define SYM(name, field)                                                                           \
	{                                                                                          \
		name, offsetof(struct top_curses, field)                                           \
	}
static const struct {
	const char *name;
	size_t off;
} SYMS[] = {
	SYM("stdscr", stdscr_p),
	SYM("LINES", lines_p),
	SYM("COLS", cols_p),
	SYM("cbreak", cbreak),
	SYM("clearok", clearok),
	SYM("curs_set", curs_set),
	SYM("endwin", endwin),
	SYM("has_colors", has_colors),
	SYM("init_pair", init_pair),
	SYM("initscr", initscr),
	SYM("keypad", keypad),
	SYM("mvprintw", mvprintw),
	SYM("nodelay", nodelay),
	SYM("noecho", noecho),
	SYM("nonl", nonl),
	SYM("set_escdelay", set_escdelay),
	SYM("start_color", start_color),
	SYM("use_default_colors", use_default_colors),
	SYM("wattr_off", wattr_off),
	SYM("wattr_on", wattr_on),
	SYM("werase", werase),
	SYM("wgetch", wgetch),
	SYM("wmove", wmove),
	SYM("wrefresh", wrefresh),
};

static int loaded; /* 0 not tried, 1 done, -1 failed */
static char why[256];

static int load(void)
{
	void *h = NULL;
	size_t i;

	for (i = 0; !h && i < sizeof(LIBS) / sizeof(LIBS[0]); i++)
		h = dlopen(LIBS[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, sizeof(why), "cannot load the ncurses library (%s)", dlerror());
		return -1;
	}
	for (i = 0; i < sizeof(SYMS) / sizeof(SYMS[0]); i++) {
		void *p = dlsym(h, SYMS[i].name);

		if (!p) {
			snprintf(why, sizeof(why), "the ncurses library has no %s", SYMS[i].name);
			dlclose(h);
			return -1;
		}
		/* a data or function address, stored in the slot of its type
		 * (POSIX makes function pointers and void * interchangeable) */
		memcpy((char *)&top_cs + SYMS[i].off, &p, sizeof(p));
	}
	return 0; /* the handle stays open for the life of the process */
}

int top_curses_load(char *err, size_t len)
{
	if (!loaded)
		loaded = load() ? -1 : 1;
	if (loaded < 0)
		snprintf(err, len, "%s", why);
	return loaded > 0 ? 0 : -1;
}
