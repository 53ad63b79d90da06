/*
 * haproxyadmin/error.h - errors: codes, messages and the conventions of every call.
 * Part of the public API; include <haproxyadmin.h> (the umbrella) or this file.
 */
#ifndef HAPROXYADMIN_ERROR_H
#define HAPROXYADMIN_ERROR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HAP_API __attribute__((visibility("default")))
#else
#define HAP_API
#endif

#define HAP_VERSION "0.1.0"

enum hap_err {
	HAP_OK = 0,
	HAP_ERROR = -1,         /* anything else */
	HAP_ENOMEM = -2,        /* out of memory */
	HAP_EINVAL = -3,        /* invalid argument or input (nothing was sent) */
	HAP_ERANGE = -4,        /* number out of range */
	HAP_EIO = -5,           /* socket error */
	HAP_ETIMEDOUT = -6,     /* deadline passed */
	HAP_EPROTO = -7,        /* reply could not be understood */
	HAP_EREFUSED = -8,      /* HAProxy answered with an error */
	HAP_ENOTFOUND = -9,     /* no such object on this instance */
	HAP_ECONNREFUSED = -10, /* nothing listens behind the socket */
	HAP_EACCES = -11,       /* permission denied on the socket */
	HAP_ETOOBIG = -12,      /* reply larger than the cap */
	HAP_EPERM = -13,        /* socket level too low for the command */
	HAP_EBUSY = -14,        /* connected, but no answer within the deadline */
	HAP_ENOENT = -15,       /* no socket at that path */
	HAP_EPARTIAL = -16,     /* part of a change was applied */
	HAP_EUNKNOWN = -17,     /* sent, but no complete reply: outcome not known */
	HAP_ESUPERSEDED = -18,  /* another value than the one asked for is live */
};

/* Name of an error code ("connection refused"); never NULL. */
HAP_API const char *hap_strerror(int code);

/* The message of a failed call: one line, names the object and the cause. */
struct hap_error {
	int code;
	char msg[512];
};

#ifdef __cplusplus
}
#endif
#endif
