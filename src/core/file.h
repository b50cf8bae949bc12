/* Internal: reading whole files with a size limit. */
#ifndef CICD_CORE_FILE_H
#define CICD_CORE_FILE_H

#include <stddef.h>

/*
 * Reads a file into a NUL-terminated buffer (free with cicd__free).
 * CICD_EIO when it cannot be read, CICD_ELIMIT when larger than max_bytes.
 */
int cicd__file_read(const char *path, size_t max_bytes, char **out, size_t *len);

#endif
