#include "digest.h"

#include <openssl/evp.h>

#include "error.h"

int cicd__sha256_hex(char out[CICD__SHA256_HEX_SIZE], const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0, i;
	if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) || md_len != 32)
		return cicd__error_set(CICD_ERROR, "sha-256 digest failed");
	for (i = 0; i < md_len; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}
