/*
 * libcicd — an output buffer for text the library produces (JSON, YAML,
 * rendered manifests). The caller owns it and releases it with
 * cicd_buf_dispose().
 */
#ifndef INCLUDE_cicd_buffer_h__
#define INCLUDE_cicd_buffer_h__

#include "common.h"

CICD_BEGIN_DECL

typedef struct cicd_buf {
	char *ptr;       /* NUL-terminated text, or NULL when empty */
	size_t size;     /* bytes in ptr, not counting the NUL */
	size_t reserved; /* allocated bytes; internal */
} cicd_buf;

#define CICD_BUF_INIT {NULL, 0, 0}

/* Frees the buffer's memory and resets it to empty; NULL is fine. */
CICD_EXTERN(void) cicd_buf_dispose(cicd_buf *buf);

CICD_END_DECL

#endif
