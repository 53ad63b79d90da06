/*
 * command.h - building runtime API command lines.
 *
 * Owns: turning words into one command line HAProxy will read as exactly
 * those words, and validating names before anything is sent.
 *
 * Must never: let an argument end the command (';' or newline) or add a
 * word. HAProxy splits on blanks and ';' and honours '\' escapes; a word
 * with a newline, CR or NUL cannot be sent and is refused.
 */
#ifndef HAP_PROTO_COMMAND_H
#define HAP_PROTO_COMMAND_H

#include <stddef.h>

#include "haproxyadmin.h"
#include "util/buf.h"

/*
 * Proxy and server names: HAProxy allows letters, digits, '-', '_', '.'
 * and ':' (invalid_char() in its source). Returns 0 or HAP_EINVAL with a
 * message naming what (e.g. "backend") and the offending byte.
 */
int hap_cmd_check_name(const char *what, const char *name, struct hap_error *err);

/*
 * A value word (map key/value, ACL pattern, address): may not be empty and
 * may not contain '\n', '\r' or NUL; ';', '\\' and blanks are escaped by
 * hap_cmd_add_word(). Refused: HAP_EINVAL with message.
 */
int hap_cmd_check_value(const char *what, const char *value, struct hap_error *err);

/* Append one word, preceded by a space unless b is empty, escaping
 * '\\', ';' and blanks with a backslash. The word must have passed a
 * check above. */
int hap_cmd_add_word(struct hap_buf *b, const char *word);

/* Append a word verbatim (a keyword or an already-valid name). */
int hap_cmd_add_raw(struct hap_buf *b, const char *word);

/*
 * End the command line with '\n'. Refused with HAP_EINVAL and a message:
 * an empty line, a line over 16000 bytes (HAProxy reads a command into one
 * 16 KB buffer) or over 64 words (HAProxy silently ignores the rest).
 */
int hap_cmd_end(struct hap_buf *b, struct hap_error *err);

#endif
