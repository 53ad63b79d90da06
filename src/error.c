/*
 * error.c - names of error codes and the helpers that fill a struct
 * hap_error. The library never prints: messages go to the caller.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "haproxyadmin.h"
#include "error.h"
#include "util/banned.h"

const char *hap_strerror(int code)
{
	switch (code) {
	case HAP_OK:
		return "success";
	case HAP_ERROR:
		return "error";
	case HAP_ENOMEM:
		return "out of memory";
	case HAP_EINVAL:
		return "invalid argument";
	case HAP_ERANGE:
		return "number out of range";
	case HAP_EIO:
		return "input/output error";
	case HAP_ETIMEDOUT:
		return "timed out";
	case HAP_EPROTO:
		return "unexpected reply";
	case HAP_EREFUSED:
		return "refused by haproxy";
	case HAP_ENOTFOUND:
		return "not found";
	case HAP_ECONNREFUSED:
		return "connection refused";
	case HAP_EACCES:
		return "permission denied";
	case HAP_ETOOBIG:
		return "reply too large";
	case HAP_EPERM:
		return "socket level too low";
	case HAP_EBUSY:
		return "socket busy";
	case HAP_ENOENT:
		return "no such socket";
	case HAP_EPARTIAL:
		return "partly applied";
	case HAP_EUNKNOWN:
		return "no complete reply: outcome unknown";
	case HAP_ESUPERSEDED:
		return "superseded";
	}
	return "unknown error";
}

int hap_error_set(struct hap_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void hap_error_clear(struct hap_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

const char *hap_level_name(int level)
{
	switch (level) {
	case HAP_LEVEL_USER:
		return "user";
	case HAP_LEVEL_OPERATOR:
		return "operator";
	case HAP_LEVEL_ADMIN:
		return "admin";
	}
	return "unknown";
}

const char *hap_errtext(int e, char *buf, size_t size)
{
	if (strerror_r(e, buf, size) != 0)
		snprintf(buf, size, "error %d", e);
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}
