/*
 * Functions kvmlint does not use, after git's banned.h: each has a bounded or
 * allocating replacement (kvl_buf, kvl_xasprintf, snprintf, strtoull with
 * explicit end checks).  Included last by every .c file through common.h.
 */
#ifndef KVL_UTIL_BANNED_H
#define KVL_UTIL_BANNED_H

#define KVL_BANNED(func) sorry_##func##_is_banned_in_kvmlint

#undef strcpy
#define strcpy(x, y) KVL_BANNED(strcpy)
#undef strcat
#define strcat(x, y) KVL_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) KVL_BANNED(strncpy)
#undef sprintf
#define sprintf(...) KVL_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) KVL_BANNED(vsprintf)
#undef gets
#define gets(x) KVL_BANNED(gets)
#undef atoi
#define atoi(x) KVL_BANNED(atoi)

#endif
