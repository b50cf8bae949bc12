/*
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of
 * zlib's crc32() and of GitLab's trace "crc32:%08x". Slicing-by-16 (16
 * table lookups per 16 bytes, no dependency between them) keeps it well
 * above the masker's throughput; the tables are built once.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "cicd/mask.h"

static uint32_t g_table[16][256];
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
		for (k = 1; k < 16; k++) {
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
	while (len >= 16) {
		uint32_t w0, w1, w2, w3;
		memcpy(&w0, p, 4);
		memcpy(&w1, p + 4, 4);
		memcpy(&w2, p + 8, 4);
		memcpy(&w3, p + 12, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w0 = __builtin_bswap32(w0);
		w1 = __builtin_bswap32(w1);
		w2 = __builtin_bswap32(w2);
		w3 = __builtin_bswap32(w3);
#endif
		w0 ^= c;
		c = g_table[15][w0 & 0xff] ^ g_table[14][(w0 >> 8) & 0xff] ^ g_table[13][(w0 >> 16) & 0xff] ^
		    g_table[12][w0 >> 24] ^ g_table[11][w1 & 0xff] ^ g_table[10][(w1 >> 8) & 0xff] ^
		    g_table[9][(w1 >> 16) & 0xff] ^ g_table[8][w1 >> 24] ^ g_table[7][w2 & 0xff] ^
		    g_table[6][(w2 >> 8) & 0xff] ^ g_table[5][(w2 >> 16) & 0xff] ^ g_table[4][w2 >> 24] ^
		    g_table[3][w3 & 0xff] ^ g_table[2][(w3 >> 8) & 0xff] ^ g_table[1][(w3 >> 16) & 0xff] ^
		    g_table[0][w3 >> 24];
		p += 16;
		len -= 16;
	}
	while (len--)
		c = g_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}
