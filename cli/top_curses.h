/*
 * top_curses.h - the curses calls of `top`, resolved at run time.
 *
 * Only `top` draws a screen, so the binary does not link ncurses: every
 * other command starts without loading libncursesw and libtinfo (about
 * 0.35 ms of each start, measured against the floor of a one-server
 * write). top_curses_load() opens the library once, before the screen;
 * the names below then call through the table, so the top_*.c files keep
 * the plain curses spelling. A call that is not in the table fails to link
 * (the binary has no curses symbol to fall back on).
 *
 * Must never: be included by a file that is not part of `top`, or call a
 * curses function before top_curses_load() returned 0.
 */
#ifndef HAP_CLI_TOP_CURSES_H
#define HAP_CLI_TOP_CURSES_H

#include <curses.h>
#include <stddef.h>

struct top_curses {
	WINDOW **stdscr_p;
	int *lines_p, *cols_p;
	int (*cbreak)(void);
	int (*clearok)(WINDOW *, bool);
	int (*curs_set)(int);
	int (*endwin)(void);
	bool (*has_colors)(void);
	int (*init_pair)(short, short, short);
	WINDOW *(*initscr)(void);
	int (*keypad)(WINDOW *, bool);
	int (*mvprintw)(int, int, const char *, ...);
	int (*nodelay)(WINDOW *, bool);
	int (*noecho)(void);
	int (*nonl)(void);
	int (*set_escdelay)(int);
	int (*start_color)(void);
	int (*use_default_colors)(void);
	int (*wattr_off)(WINDOW *, attr_t, void *);
	int (*wattr_on)(WINDOW *, attr_t, void *);
	int (*werase)(WINDOW *);
	int (*wgetch)(WINDOW *);
	int (*wmove)(WINDOW *, int, int);
	int (*wrefresh)(WINDOW *);
};

extern struct top_curses top_cs;

/* Open the curses library and fill top_cs (once; later calls return the
 * first result). 0, or -1 with why in err. */
int top_curses_load(char *err, size_t len);

/* the loader itself (top_curses.c) names the fields, not the calls */
#ifndef TOP_CURSES_LOADER
#undef stdscr
#undef LINES
#undef COLS
#undef cbreak
#undef clearok
#undef curs_set
#undef endwin
#undef has_colors
#undef init_pair
#undef initscr
#undef keypad
#undef mvprintw
#undef nodelay
#undef noecho
#undef nonl
#undef set_escdelay
#undef start_color
#undef use_default_colors
#undef wattr_off
#undef wattr_on
#undef werase
#undef wgetch
#undef wmove
#undef wrefresh

#define stdscr             (*top_cs.stdscr_p)
#define LINES              (*top_cs.lines_p)
#define COLS               (*top_cs.cols_p)
#define cbreak             top_cs.cbreak
#define clearok            top_cs.clearok
#define curs_set           top_cs.curs_set
#define endwin             top_cs.endwin
#define has_colors         top_cs.has_colors
#define init_pair          top_cs.init_pair
#define initscr            top_cs.initscr
#define keypad             top_cs.keypad
#define mvprintw           top_cs.mvprintw
#define nodelay            top_cs.nodelay
#define noecho             top_cs.noecho
#define nonl               top_cs.nonl
#define set_escdelay       top_cs.set_escdelay
#define start_color        top_cs.start_color
#define use_default_colors top_cs.use_default_colors
#define wattr_off          top_cs.wattr_off
#define wattr_on           top_cs.wattr_on
#define werase             top_cs.werase
#define wgetch             top_cs.wgetch
#define wmove              top_cs.wmove
#define wrefresh           top_cs.wrefresh
#endif

#endif
