/*
 * libFuzzer target: the streaming trace masker. The input gives up to 8
 * masked values and a trace; the trace is masked in one write and again
 * in writes of sizes drawn from the input, and both outputs, byte counts
 * and CRC-32s must be equal (streaming must never change the result).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void mask_all(const char *const *values, const size_t *lens, size_t nvalues, const uint8_t *text, size_t len,
                     const uint8_t *cuts, size_t ncuts, cicd_buf *out, uint32_t *crc, uint64_t *bytes)
{
	cicd_mask *m = NULL;
	size_t at = 0, k = 0;
	if (cicd_mask_new(&m, values, lens, nvalues, NULL))
		return;
	while (at < len) {
		size_t step = ncuts ? (size_t)cuts[k++ % ncuts] % 17 + 1 : len;
		if (step > len - at)
			step = len - at;
		if (cicd_mask_write(m, out, (const char *)text + at, step))
			abort();
		at += step;
	}
	if (cicd_mask_finish(m, out))
		abort();
	*crc = cicd_mask_crc32(m);
	*bytes = cicd_mask_bytes(m);
	cicd_mask_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *values[8];
	size_t lens[8], nvalues = 0, at = 1;
	cicd_buf one = CICD_BUF_INIT, many = CICD_BUF_INIT;
	uint32_t crc1 = 0, crc2 = 0;
	uint64_t b1 = 0, b2 = 0;
	if (!size)
		return 0;
	/* values: (data[0] & 7) strings, each ended by a 0 byte */
	while (nvalues < (size_t)(data[0] & 7) && at < size) {
		const uint8_t *end = memchr(data + at, 0, size - at);
		size_t len = end ? (size_t)(end - (data + at)) : size - at;
		values[nvalues] = (const char *)data + at;
		lens[nvalues++] = len;
		at += len + (end ? 1 : 0);
	}
	mask_all(values, lens, nvalues, data + at, size - at, NULL, 0, &one, &crc1, &b1);
	mask_all(values, lens, nvalues, data + at, size - at, data, size, &many, &crc2, &b2);
	if (one.size != many.size || (one.size && memcmp(one.ptr, many.ptr, one.size)) || crc1 != crc2 || b1 != b2 ||
	    b1 != one.size || crc1 != cicd_crc32(0, one.ptr, one.size))
		abort();
	cicd_buf_dispose(&one);
	cicd_buf_dispose(&many);
	return 0;
}
