/*
 * banned.h - functions our sources must not use.
 *
 * Each is unsafe with untrusted lengths or silently accepts junk numbers.
 * Include this last in every .c file of src/ and cli/; a use becomes a
 * compile error naming the replacement.
 */
#ifndef HAP_UTIL_BANNED_H
#define HAP_UTIL_BANNED_H

#define HAP_BANNED(func) sorry_##func##_is_banned_use_hap_buf_or_hap_num_instead

#undef strcpy
#define strcpy(x, y) HAP_BANNED(strcpy)
#undef strcat
#define strcat(x, y) HAP_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) HAP_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) HAP_BANNED(strncat)
#undef sprintf
#define sprintf(...) HAP_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) HAP_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) HAP_BANNED(strtok)
#undef strtok_r
#define strtok_r(x, y, z) HAP_BANNED(strtok_r)
#undef atoi
#define atoi(x) HAP_BANNED(atoi)
#undef atol
#define atol(x) HAP_BANNED(atol)
#undef atoll
#define atoll(x) HAP_BANNED(atoll)
#undef sscanf
#define sscanf(...) HAP_BANNED(sscanf)
#undef gmtime
#define gmtime(x) HAP_BANNED(gmtime)
#undef localtime
#define localtime(x) HAP_BANNED(localtime)

#endif
