/*
 * fuzz_command.c - the command formatter (src/proto/command.c), where
 * injection bugs live.
 *
 * Input: a mode byte, then words separated by NUL bytes. Each word goes
 * through the name and value checks, then into a command line after the
 * keyword "set": verbatim (hap_cmd_add_raw) when the mode says so and it
 * passed the name check, else escaped (hap_cmd_add_word).
 *
 * Checked against an independent reading of HAProxy 2.6's CLI reader
 * (cli.c: co_getdelim(.., "\n;", '\\'), the trailing "\r" and "<<"
 * checks, cli_parse_request's word split and unescape): a line that
 * hap_cmd_end() accepts is exactly one complete command, not a payload,
 * whose words are exactly the words added, in order. A refused word leaves
 * the line as it was; the checks accept exactly what they document.
 */
#include "haproxyadmin.h"
#include "proto/command.h"
#include "util/buf.h"
#include "fuzz.h"

#define MAXW        80
#define F_CLI_ARGS  64 /* MAX_CLI_ARGS */
#define F_NAME_MAX  255
#define F_VALUE_MAX 8000
#define F_LINE_MAX  16000

static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == ':';
}

/* HAProxy's reading of one request line: the first command's words. */
struct reading {
	int complete; /* the command ended with an unescaped '\n' or ';' */
	int more;     /* bytes follow the first command: a second command */
	int payload;  /* "<<" at the end: payload mode */
	int nwords;   /* words kept (at most F_CLI_ARGS) */
	int dropped;  /* words past F_CLI_ARGS */
	char *words[F_CLI_ARGS];
};

static void haproxy_read(char *line, size_t len, struct reading *r)
{
	size_t end = 0, n;
	char *p, *stop;

	memset(r, 0, sizeof(*r));
	/* co_getdelim(): a byte after '\' is never a delimiter */
	while (end < len) {
		if (line[end] == '\\') {
			end += 2;
			continue;
		}
		if (line[end] == '\n' || line[end] == ';')
			break;
		end++;
	}
	if (end >= len)
		return;
	r->complete = 1;
	r->more = end + 1 < len;
	n = end;
	if (n && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	if (n >= 2 && line[n - 2] == '<' && line[n - 1] == '<') {
		r->payload = 1;
		return;
	}
	/* cli_parse_request() */
	p = line;
	stop = line + n;
	while (p < stop) {
		char *w, *q, *k;

		p += strspn(p, " \t");
		if (!*p)
			break;
		w = p;
		for (;;) {
			p += strcspn(p, " \t\\");
			if (*p != '\\')
				break;
			if (!*++p)
				break;
			if (!*++p)
				break;
		}
		if (*p)
			*p++ = '\0';
		/* unescape: "\\x" is "x", "\\\\" is "\\" */
		for (q = w, k = w; *k; k++) {
			if (*k == '\\') {
				if (k[1] == '\\')
					k++;
				else
					continue;
			}
			*q++ = *k;
		}
		*q = '\0';
		if (r->nwords < F_CLI_ARGS)
			r->words[r->nwords++] = w;
		else
			r->dropped++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hap_error err = { 0, "" };
	struct hap_buf b = HAP_BUF_INIT;
	const char *words[MAXW + 1];
	size_t nwords = 1, i, j, start;
	struct reading r;
	char *in, *line;
	int mode, ret;

	if (size < 1)
		return 0;
	mode = data[0];
	in = malloc(size);
	FUZZ_CHECK(in != NULL);
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';

	FUZZ_CHECK(hap_cmd_add_raw(&b, "set") == 0);
	words[0] = "set";
	for (start = 0; start < size && nwords <= MAXW;) {
		const char *w = in + start;
		size_t n = strlen(w), old = b.len;
		int name_ok = n >= 1 && n <= F_NAME_MAX, value_ok, r1, r2;

		start += n + 1;
		for (i = 0; i < n; i++)
			name_ok = name_ok && name_char((unsigned char)w[i]);
		value_ok = n >= 1 && n <= F_VALUE_MAX && !strpbrk(w, "\n\r");

		/* the checks accept exactly what they document, and say why not */
		err.msg[0] = '\0';
		r1 = hap_cmd_check_name("server", w, &err);
		FUZZ_CHECK((r1 == 0) == name_ok);
		if (r1)
			FUZZ_CHECK(r1 == HAP_EINVAL && fuzz_msg_ok(err.msg, sizeof(err.msg)));
		err.msg[0] = '\0';
		r2 = hap_cmd_check_value("map key", w, &err);
		FUZZ_CHECK((r2 == 0) == value_ok);
		if (r2)
			FUZZ_CHECK(r2 == HAP_EINVAL && fuzz_msg_ok(err.msg, sizeof(err.msg)));

		if ((mode & 1) && name_ok)
			ret = hap_cmd_add_raw(&b, w);
		else
			ret = hap_cmd_add_word(&b, w);
		if (ret) {
			/* refused: only a word that can never be sent, and the line is intact */
			FUZZ_CHECK(n == 0 || strpbrk(w, "\n\r"));
			FUZZ_CHECK(b.len == old && b.ptr[b.len] == '\0');
			continue;
		}
		FUZZ_CHECK(n > 0 && !strpbrk(w, "\n\r"));
		words[nwords++] = w;
	}

	ret = hap_cmd_end(&b, &err);
	if (ret) {
		FUZZ_CHECK(ret == HAP_EINVAL && fuzz_msg_ok(err.msg, sizeof(err.msg)));
		/* only too long or too many words */
		FUZZ_CHECK(b.len + 1 > F_LINE_MAX || nwords > F_CLI_ARGS);
		goto out;
	}
	FUZZ_CHECK(b.len <= F_LINE_MAX && nwords <= F_CLI_ARGS);
	FUZZ_CHECK(b.len >= 1 && b.ptr[b.len - 1] == '\n');
	FUZZ_CHECK(memchr(b.ptr, '\n', b.len) == b.ptr + b.len - 1);
	FUZZ_CHECK(memchr(b.ptr, '\0', b.len) == NULL);

	line = malloc(b.len + 1);
	FUZZ_CHECK(line != NULL);
	memcpy(line, b.ptr, b.len + 1);
	haproxy_read(line, b.len, &r);
	FUZZ_CHECK(r.complete);
	FUZZ_CHECK(!r.more);
	FUZZ_CHECK(!r.payload);
	FUZZ_CHECK(r.dropped == 0);
	FUZZ_CHECK((size_t)r.nwords == nwords);
	for (j = 0; j < nwords; j++)
		FUZZ_CHECK(strcmp(r.words[j], words[j]) == 0);
	free(line);
out:
	hap_buf_release(&b);
	free(in);
	return 0;
}
