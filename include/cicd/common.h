/*
 * libcicd — common definitions shared by every public header.
 *
 * Headers compile alone as C89/C99/C11 (pedantic) and as C++.
 */
#ifndef INCLUDE_cicd_common_h__
#define INCLUDE_cicd_common_h__

#include <stddef.h>

#ifdef __cplusplus
#define CICD_BEGIN_DECL extern "C" {
#define CICD_END_DECL }
#else
#define CICD_BEGIN_DECL
#define CICD_END_DECL
#endif

/* Marks a function exported from the shared library; everything else is hidden. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define CICD_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#define CICD_EXTERN(type) extern type
#endif

/* Marks an API that will go at the next SONAME bump. */
#if defined(__GNUC__) && (__GNUC__ > 4 || (__GNUC__ == 4 && __GNUC_MINOR__ >= 5))
#define CICD_DEPRECATED(version, message) __attribute__((deprecated("since " version ": " message)))
#else
#define CICD_DEPRECATED(version, message)
#endif

#endif
