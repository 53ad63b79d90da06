/*
 * haproxyadmin.h - manage many HAProxy instances through their runtime API
 * as if they were one.
 *
 * Conventions:
 * - Functions that can fail return 0 or a negative enum hap_err.
 * - A function that allocates for the caller says so ("caller owns *out,
 *   free with X"); a returned pointer is otherwise borrowed from its parent
 *   and valid as long as the parent is.
 * - struct hap_error *err parameters may be NULL.
 * - The library never prints, exits or touches signals. A handle is not
 *   thread-safe; separate handles on separate threads are fine.
 */
#ifndef HAPROXYADMIN_H
#define HAPROXYADMIN_H

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
	HAP_ERROR = -1,        /* anything else */
	HAP_ENOMEM = -2,       /* out of memory */
	HAP_EINVAL = -3,       /* invalid argument or input (nothing was sent) */
	HAP_ERANGE = -4,       /* number out of range */
	HAP_EIO = -5,          /* socket error */
	HAP_ETIMEDOUT = -6,    /* deadline passed */
	HAP_EPROTO = -7,       /* reply could not be understood */
	HAP_EREFUSED = -8,     /* HAProxy answered with an error */
	HAP_ENOTFOUND = -9,    /* no such object on this instance */
	HAP_ECONNREFUSED = -10, /* nothing listens behind the socket */
	HAP_EACCES = -11,      /* permission denied on the socket */
	HAP_ETOOBIG = -12,     /* reply larger than the cap */
	HAP_EPERM = -13,       /* socket level too low for the command */
	HAP_EBUSY = -14,       /* connected, but no answer within the deadline */
	HAP_ENOENT = -15,      /* no socket at that path */
	HAP_EPARTIAL = -16,    /* part of a change was applied */
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
