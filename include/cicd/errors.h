/*
 * libcicd — the error model.
 *
 * Every function that can fail returns an int: 0 on success, a negative
 * CICD_E* code on failure. After a failure, cicd_error_last() describes it.
 * Code numbers are fixed and never reused (see docs/errors.md).
 */
#ifndef INCLUDE_cicd_errors_h__
#define INCLUDE_cicd_errors_h__

#include "common.h"

CICD_BEGIN_DECL

typedef enum {
	CICD_OK = 0,
	CICD_ERROR = -1,      /* generic failure */
	CICD_ENOMEM = -2,     /* out of memory */
	CICD_ENOTFOUND = -3,  /* a lookup found nothing */
	CICD_EINVALID = -4,   /* caller bug: bad argument or option */
	CICD_EPARSE = -5,     /* malformed input; file, line and column are set */
	CICD_ELIMIT = -6,     /* a size, depth, count or alias-expansion limit was hit */
	CICD_EIO = -7,        /* reading or writing a file failed */
	CICD_EHTTP = -8,      /* an HTTP exchange failed */
	CICD_ETIMEOUT = -9,   /* a deadline passed */
	CICD_EVALIDATE = -10, /* well-formed input that breaks the rules; see the diagnostics */
	CICD_EEXISTS = -11,   /* the object already exists */
	CICD_ECONFLICT = -12, /* a concurrent change or an ownership conflict */
	CICD_EAUTH = -13,     /* authentication or authorization failed */
	CICD_ETLS = -14,      /* TLS verification or setup failed */
	CICD_EUNSUPPORTED = -15, /* a feature or version this build does not support */
	CICD_EDENIED = -16,   /* a policy denied the request */
	CICD_ESTORE = -17,    /* the store is locked, full, corrupt or from a newer schema */
	CICD_ECANCELED = -18, /* the operation was canceled */
	CICD_EUSER = -30,     /* reserved for callbacks; returned untouched */
	CICD_ITEROVER = -31   /* end of an iteration; not an error */
} cicd_error_code;

/*
 * Details of the last failure on the calling thread. Fields are only ever
 * appended. Strings are never NULL (empty when unknown) and never contain
 * secrets.
 */
typedef struct cicd_error {
	int code;            /* a cicd_error_code */
	const char *message; /* lower case, no trailing period */
	const char *file;    /* input file or buffer name; "" when none */
	unsigned int line;   /* 1-based; 0 when no position */
	unsigned int column; /* 1-based; 0 when no position */
} cicd_error;

/*
 * The last error of the calling thread; never NULL. Library-owned and
 * valid until the next failing cicd_* call on this thread. When no call
 * has failed, code is CICD_OK and message is "".
 */
CICD_EXTERN(const cicd_error *) cicd_error_last(void);

/* Clears the calling thread's last error. */
CICD_EXTERN(void) cicd_error_clear(void);

/* An owned copy of the last error, for bindings; free with cicd_error_free(). */
CICD_EXTERN(int) cicd_error_dup(cicd_error **out);

/* Frees a copy made by cicd_error_dup(); NULL is fine. */
CICD_EXTERN(void) cicd_error_free(cicd_error *err);

/* A short description of a code ("out of memory"); never NULL. */
CICD_EXTERN(const char *) cicd_strerror(int code);

/* The code's symbolic name ("CICD_ENOMEM"); never NULL. */
CICD_EXTERN(const char *) cicd_error_name(int code);

CICD_END_DECL

#endif
