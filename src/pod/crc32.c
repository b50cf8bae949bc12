/*
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of
 * zlib's crc32() and of GitLab's trace "crc32:%08x". Slicing-by-8 keeps it
 * well above the masker's throughput; the tables are built once.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "cicd/mask.h"

static uint32_t g_table[8][256];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
	uint32_t i, k, c;
	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		g_table[0][i] = c;
	}
	for (i = 0; i < 256; i++) {
		c = g_table[0][i];
		for (k = 1; k < 8; k++) {
			c = g_table[0][c & 0xff] ^ (c >> 8);
			g_table[k][i] = c;
		}
	}
}

CICD_EXTERN(uint32_t) cicd_crc32(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t c = ~crc;
	pthread_once(&g_once, build_tables);
	if (!p)
		return crc;
	while (len >= 8) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		lo = __builtin_bswap32(lo);
		hi = __builtin_bswap32(hi);
#endif
		lo ^= c;
		c = g_table[7][lo & 0xff] ^ g_table[6][(lo >> 8) & 0xff] ^ g_table[5][(lo >> 16) & 0xff] ^
		    g_table[4][lo >> 24] ^ g_table[3][hi & 0xff] ^ g_table[2][(hi >> 8) & 0xff] ^
		    g_table[1][(hi >> 16) & 0xff] ^ g_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		c = g_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}
