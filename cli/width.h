/*
 * width.h - fitting output to the terminal (width.c).
 */
#ifndef HAP_CLI_WIDTH_H
#define HAP_CLI_WIDTH_H

#include <stddef.h>
#include <stdio.h>

#define HELP_WIDTH 80

/* --wide: never fit tables. */
extern int cli_wide;

/* The width to fit f to: $COLUMNS or the terminal's, 0 when f is not a
 * terminal or --wide was given (no limit). */
size_t term_width(FILE *f);
/* Shrink w[] (down to minw[]) then drop columns from the right until the
 * row fits width; keep[c] says whether column c is shown. Returns the
 * number of columns dropped. */
size_t fit_columns(size_t *w, const size_t *minw, int *keep, size_t n, size_t width);
/* Print text word-wrapped at width: the first line after indent, the next
 * ones after cont. */
void wrap_print(FILE *f, const char *indent, const char *cont, const char *text, size_t width);

#endif
