/*
 * format_command.c - print the command line the library's formatter
 * (src/proto/command.c) builds, for test_input.sh to send to a real
 * HAProxy: format_command KEYWORD... -- WORD...
 *
 * Keywords are added verbatim (hap_cmd_add_raw), words are checked
 * (hap_cmd_check_value) and escaped (hap_cmd_add_word). Prints the line
 * without its final newline; a refusal exits 2 with the library's message.
 * Built by the test itself against the build's libhaproxyadmin_core.a.
 */
#include <stdio.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "proto/command.h"
#include "util/buf.h"
#include "util/banned.h"

int main(int argc, char **argv)
{
	struct hap_error err = { 0, "" };
	struct hap_buf b = HAP_BUF_INIT;
	int i, words = 0, ret = 0;

	for (i = 1; i < argc && !ret; i++) {
		if (!words && strcmp(argv[i], "--") == 0) {
			words = 1;
			continue;
		}
		if (!words) {
			ret = hap_cmd_add_raw(&b, argv[i]);
			if (ret)
				hap_error_set(&err, ret, "keyword refused");
			continue;
		}
		ret = hap_cmd_check_value("word", argv[i], &err);
		if (!ret)
			ret = hap_cmd_add_word(&b, argv[i]);
	}
	if (!ret)
		ret = hap_cmd_end(&b, &err);
	if (ret) {
		fprintf(stderr, "format_command: %s\n", err.msg);
		hap_buf_release(&b);
		return 2;
	}
	fwrite(b.ptr, 1, b.len - 1, stdout);
	hap_buf_release(&b);
	return fflush(stdout) ? 1 : 0;
}
