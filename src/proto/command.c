/*
 * command.c - words in, one runtime API command line out.
 *
 * HAProxy 2.6 reads a command (cli.c, cli_io_handler/cli_parse_request):
 * the line ends at an unescaped '\n' or ';' (a byte after '\' is never a
 * delimiter), a final "\r" is dropped, a line ending in "<<" switches to
 * payload mode, words are split on unescaped ' ' and '\t', at most 64 of
 * them are kept, and inside a word "\x" becomes "x" and "\\" becomes "\".
 * So a word is sent with '\', ';', ' ' and '\t' escaped, and its last '<'
 * escaped when it ends in "<<"; '\n' and '\r' cannot be escaped (a line
 * ending in "\\\n" continues, a "\r" before "\n" disappears) and are
 * refused. That is the whole defence against injection: a word can never
 * end the command or become two words. tests/unit/test_command.c checks it
 * against a re-implementation of that tokenizer.
 *
 * Never sends anything; never prints.
 */
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "proto/command.h"
#include "util/banned.h"

#define NAME_MAX_LEN  255
#define VALUE_MAX_LEN 8000
#define LINE_MAX_LEN  16000 /* HAProxy reads a request into one 16 KB chunk */
#define MAX_WORDS     64    /* MAX_CLI_ARGS: further words are ignored */
#define SHOW_MAX      64    /* bytes of a refused word quoted in a message */

/* HAProxy's invalid_char(): only these may appear in proxy/server names. */
static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == ':';
}

/* A byte as it appears in a message: itself if printable, else \xNN. */
static void show_byte(char out[5], unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	if (c >= 0x20 && c < 0x7f && c != '"' && c != '\'' && c != '\\') {
		out[0] = (char)c;
		out[1] = '\0';
		return;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	out[4] = '\0';
}

/* The first SHOW_MAX bytes of s for a message, "..." when cut. */
static void show_word(char *out, size_t size, const char *s)
{
	size_t o = 0, i;

	for (i = 0; s[i] && i < SHOW_MAX; i++) {
		char b[5];
		size_t n;

		show_byte(b, (unsigned char)s[i]);
		n = strlen(b);
		if (o + n + 4 > size)
			break;
		memcpy(out + o, b, n);
		o += n;
	}
	if (s[i] && o + 4 <= size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static int refuse_byte(struct hap_error *err, const char *what, const char *kind, const char *s,
                       unsigned char c)
{
	char shown[SHOW_MAX * 4 + 4], b[5];

	show_word(shown, sizeof(shown), s);
	show_byte(b, c);
	return hap_error_set(err, HAP_EINVAL, "invalid %s%s \"%s\": character '%s' not allowed",
	                     what, kind, shown, b);
}

int hap_cmd_check_name(const char *what, const char *name, struct hap_error *err)
{
	size_t n = strlen(name), i;

	if (!n)
		return hap_error_set(err, HAP_EINVAL, "invalid %s name: empty", what);
	for (i = 0; i < n; i++)
		if (!name_char((unsigned char)name[i]))
			return refuse_byte(err, what, " name", name, (unsigned char)name[i]);
	if (n > NAME_MAX_LEN) {
		char shown[SHOW_MAX * 4 + 4];

		show_word(shown, sizeof(shown), name);
		return hap_error_set(err, HAP_EINVAL,
		                     "invalid %s name \"%s\": longer than %d bytes", what, shown,
		                     NAME_MAX_LEN);
	}
	return 0;
}

int hap_cmd_check_value(const char *what, const char *value, struct hap_error *err)
{
	size_t n = strlen(value);
	const char *bad;

	if (!n)
		return hap_error_set(err, HAP_EINVAL, "invalid %s: empty", what);
	bad = strpbrk(value, "\n\r");
	if (bad)
		return refuse_byte(err, what, "", value, (unsigned char)*bad);
	if (n > VALUE_MAX_LEN)
		return hap_error_set(err, HAP_EINVAL, "invalid %s: longer than %d bytes", what,
		                     VALUE_MAX_LEN);
	return 0;
}

static int needs_escape(char c)
{
	return c == '\\' || c == ';' || c == ' ' || c == '\t';
}

int hap_cmd_add_word(struct hap_buf *b, const char *word)
{
	size_t n = strlen(word), old = b->len, i;
	int ret = 0;

	/* an empty word would vanish and shift the next ones */
	if (!n || strpbrk(word, "\n\r"))
		return HAP_EINVAL;
	if (b->len)
		ret = hap_buf_addc(b, ' ');
	for (i = 0; !ret && i < n; i++) {
		/* "...<<" ending the line would start a payload */
		int esc = needs_escape(word[i]) ||
		          (i == n - 1 && n >= 2 && word[i] == '<' && word[i - 1] == '<');

		if (esc)
			ret = hap_buf_addc(b, '\\');
		if (!ret)
			ret = hap_buf_addc(b, word[i]);
	}
	if (ret) {
		/* leave the line as it was, never with half a word */
		b->len = old;
		b->ptr[old] = '\0';
	}
	return ret;
}

int hap_cmd_add_raw(struct hap_buf *b, const char *word)
{
	size_t old = b->len;
	int ret = 0;

	/* verbatim is for keywords and checked names: nothing that escapes or splits */
	if (!*word || strpbrk(word, "\n\r;\\"))
		return HAP_EINVAL;
	if (b->len)
		ret = hap_buf_addc(b, ' ');
	if (!ret)
		ret = hap_buf_adds(b, word);
	if (ret) {
		b->len = old;
		b->ptr[old] = '\0';
	}
	return ret;
}

/* Words as HAProxy will count them: runs of bytes between unescaped blanks. */
static size_t count_words(const char *s, size_t n)
{
	size_t i, words = 0;
	int in_word = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t') {
			in_word = 0;
			continue;
		}
		if (!in_word)
			words++;
		in_word = 1;
		if (s[i] == '\\')
			i++;
	}
	return words;
}

int hap_cmd_end(struct hap_buf *b, struct hap_error *err)
{
	size_t words;
	int ret;

	if (!b->len)
		return hap_error_set(err, HAP_EINVAL, "empty command");
	if (b->len + 1 > LINE_MAX_LEN)
		return hap_error_set(err, HAP_EINVAL, "command line too long (%zu bytes, max %d)",
		                     b->len + 1, LINE_MAX_LEN);
	words = count_words(b->ptr, b->len);
	if (words > MAX_WORDS)
		return hap_error_set(err, HAP_EINVAL,
		                     "command has too many words (%zu, HAProxy reads %d)", words,
		                     MAX_WORDS);
	ret = hap_buf_addc(b, '\n');
	if (ret)
		return hap_error_set(err, ret, "command line: %s", hap_strerror(ret));
	return 0;
}

int hap_name_check(const char *what, const char *name, struct hap_error *err)
{
	return hap_cmd_check_name(what, name, err);
}
