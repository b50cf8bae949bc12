/*
 * libcicd — masking a job trace as it streams, the way GitLab Runner does
 * before a single byte leaves the machine.
 *
 * A masker replaces:
 *   - every masked value ("phrase") with [MASKED], also when the value is
 *     split across writes; the longest phrase wins where several start at
 *     the same byte;
 *   - the token after a GitLab token prefix (glpat-, gldt-, glrt-,
 *     GR1348941, ...): "glpat-abc" becomes "glpat-[MASKED]"; a token is a
 *     run of [A-Za-z0-9._=-];
 *   - the value of a secret URL query parameter (?private_token=,
 *     &X-Amz-Signature=, &token=, ...; names compared case-insensitively):
 *     the value up to the next '?', '&', space or control byte becomes
 *     [MASKED].
 * It keeps a running CRC-32 (IEEE, as zlib's crc32()) and byte count of
 * what it emitted, which is what the runner reports to GitLab as the
 * trace checksum. Bytes that might still be the start of a secret are held
 * back until the next write or cicd_mask_finish().
 *
 * A masker is not shared between threads.
 */
#ifndef INCLUDE_cicd_mask_h__
#define INCLUDE_cicd_mask_h__

#include <stdint.h>

#include "buffer.h"
#include "common.h"

CICD_BEGIN_DECL

typedef struct cicd_mask cicd_mask;

/* Do not mask the built-in GitLab token prefixes (extra_prefixes still apply). */
#define CICD_MASK_NO_TOKEN_PREFIXES (1u << 0)
/* Do not mask secret URL query parameters. */
#define CICD_MASK_NO_URL_PARAMS (1u << 1)

typedef struct cicd_mask_options {
	unsigned int version;
	unsigned int flags;                /* CICD_MASK_* */
	const char *const *extra_prefixes; /* more token prefixes (GitLab's features.token_mask_prefixes) */
	size_t extra_prefix_count;
	size_t max_phrases;    /* 0: 10,000 masked values */
	size_t max_phrase_len; /* 0: 64 KiB per masked value */
} cicd_mask_options;

#define CICD_MASK_OPTIONS_VERSION 1
#define CICD_MASK_OPTIONS_INIT                                                                                         \
	{                                                                                                              \
		CICD_MASK_OPTIONS_VERSION, 0, NULL, 0, 0, 0                                                            \
	}

/* Fills opts with defaults; CICD_EINVALID for an unknown version. */
CICD_EXTERN(int) cicd_mask_options_init(cicd_mask_options *opts, unsigned int version);

/*
 * A masker for `count` values (values[i] of lens[i] bytes; lens may be NULL
 * for NUL-terminated values). Values are copied; surrounding whitespace is
 * trimmed, empty values and duplicates are ignored (as GitLab Runner does).
 * CICD_ELIMIT when there are more values or longer ones than the options
 * allow; CICD_EINVALID for bad arguments. Free with cicd_mask_free().
 */
CICD_EXTERN(int)
cicd_mask_new(cicd_mask **out, const char *const *values, const size_t *lens, size_t count,
              const cicd_mask_options *opts);

/* Masks `len` bytes and appends what can be decided to *out. 0 or CICD_ENOMEM. */
CICD_EXTERN(int) cicd_mask_write(cicd_mask *mask, cicd_buf *out, const char *data, size_t len);

/* Decides and appends everything held back (end of the trace). The masker can be written to again. */
CICD_EXTERN(int) cicd_mask_finish(cicd_mask *mask, cicd_buf *out);

/* CRC-32 (IEEE) of every byte appended so far. */
CICD_EXTERN(uint32_t) cicd_mask_crc32(const cicd_mask *mask);

/* Number of bytes appended so far. */
CICD_EXTERN(uint64_t) cicd_mask_bytes(const cicd_mask *mask);

/* Frees a masker; NULL is fine. */
CICD_EXTERN(void) cicd_mask_free(cicd_mask *mask);

/*
 * Updates a CRC-32 (IEEE 802.3, the one of zlib's crc32() and GitLab's
 * "crc32:%08x" trace checksum): start with crc 0.
 */
CICD_EXTERN(uint32_t) cicd_crc32(uint32_t crc, const void *data, size_t len);

CICD_END_DECL

#endif
