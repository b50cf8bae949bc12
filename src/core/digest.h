/* Internal: SHA-256 over OpenSSL's EVP interface, as lower-case hex. */
#ifndef CICD_CORE_DIGEST_H
#define CICD_CORE_DIGEST_H

#include <stddef.h>

#define CICD__SHA256_HEX_SIZE 65 /* 64 hex digits and a NUL */

/* Writes the hex SHA-256 of data into out. 0, or CICD_ERROR with the last error set. */
int cicd__sha256_hex(char out[CICD__SHA256_HEX_SIZE], const void *data, size_t len);

#endif
