/*
 * Sorting versions: stable, by cicd_semver_compare_build().
 *
 * When every major, minor and patch fits, each version gets a 64-bit key
 * (major, minor, patch packed, then two bits: pre-release, release, or
 * release with build metadata) and an LSD
 * radix sort orders contiguous {key, pointer} records in a few streaming
 * passes; runs of equal keys are then ordered by the full comparison,
 * except runs of plain versions (no pre-release, no build), which are
 * equal already. Otherwise a bottom-up merge sort
 * over the same records does the work. Both are stable, as node-semver's
 * sort (Array.prototype.sort) is.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "semver_internal.h"

typedef struct {
	uint64_t key;
	cicd_semver *v;
} sort_rec;

static int rec_cmp(const sort_rec *a, const sort_rec *b)
{
	int i;
	for (i = 0; i < 3; i++) {
		uint64_t x = a->v->num[i], y = b->v->num[i];
		if (x == SEMVER_BIG || y == SEMVER_BIG)
			return cicd_semver_compare_build(a->v, b->v);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return cicd_semver_compare_build(a->v, b->v);
}

/* Stable bottom-up merge sort of n records; tmp has room for n. The result ends in recs. */
static void merge_sort(sort_rec *recs, sort_rec *tmp, size_t n, int sign)
{
	sort_rec *src = recs, *dst = tmp;
	size_t width;
	for (width = 1; width < n; width *= 2) {
		size_t lo;
		for (lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t a = lo, b = mid, k = lo;
			while (a < mid && b < hi)
				dst[k++] = sign * rec_cmp(&src[b], &src[a]) < 0 ? src[b++] : src[a++];
			while (a < mid)
				dst[k++] = src[a++];
			while (b < hi)
				dst[k++] = src[b++];
		}
		{
			sort_rec *t = src;
			src = dst;
			dst = t;
		}
	}
	if (src != recs)
		memcpy(recs, src, n * sizeof *recs);
}

static unsigned int bit_length(uint64_t x)
{
	unsigned int n = 0;
	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

/* Packs the keys; 0 when some number is too large for one 64-bit key. */
static int pack_keys(sort_rec *recs, cicd_semver **items, size_t n, int reverse)
{
	uint64_t max[3] = {0, 0, 0};
	unsigned int b1, b2, total;
	size_t i;
	int k;
	for (i = 0; i < n; i++)
		for (k = 0; k < 3; k++) {
			if (items[i]->num[k] == SEMVER_BIG)
				return 0;
			if (items[i]->num[k] > max[k])
				max[k] = items[i]->num[k];
		}
	b1 = bit_length(max[1]);
	b2 = bit_length(max[2]);
	total = bit_length(max[0]) + b1 + b2 + 2;
	if (total > 64)
		return 0;
	for (i = 0; i < n; i++) {
		const cicd_semver *v = items[i];
		/* low bits: 10 plain release, 11 release with build (after: no build sorts first), 00 pre-release */
		uint64_t key = (v->plen[SV_PRE] ? 0 : 2 | (v->plen[SV_BUILD] ? 1 : 0)) | (v->num[2] << 2);
		if (b2 + 2 < 64)
			key |= v->num[1] << (b2 + 2);
		if (b1 + b2 + 2 < 64)
			key |= v->num[0] << (b1 + b2 + 2);
		recs[i].key = reverse ? ~key : key;
		recs[i].v = items[i];
	}
	return 1;
}

/* LSD radix sort on 8-bit digits, skipping digits that are the same everywhere. Stable. */
static void radix_sort(sort_rec *recs, sort_rec *tmp, size_t n)
{
	size_t count[8][256], i;
	sort_rec *src = recs, *dst = tmp;
	int d;
	memset(count, 0, sizeof count);
	for (i = 0; i < n; i++)
		for (d = 0; d < 8; d++)
			count[d][(recs[i].key >> (8 * d)) & 0xff]++;
	for (d = 0; d < 8; d++) {
		size_t pos[256], sum = 0;
		int b, trivial = 0;
		for (b = 0; b < 256; b++) {
			if (count[d][b] == n)
				trivial = 1;
			pos[b] = sum;
			sum += count[d][b];
		}
		if (trivial)
			continue;
		for (i = 0; i < n; i++)
			dst[pos[(src[i].key >> (8 * d)) & 0xff]++] = src[i];
		{
			sort_rec *t = src;
			src = dst;
			dst = t;
		}
	}
	if (src != recs)
		memcpy(recs, src, n * sizeof *recs);
}

int cicd_semver_sort(cicd_semver **items, size_t count, unsigned int flags)
{
	sort_rec *recs;
	size_t bytes, i, run;
	int reverse = (flags & CICD_SEMVER_SORT_REVERSE) != 0, sign = reverse ? -1 : 1;
	if (count < 2)
		return 0;
	if (!items)
		return cicd__error_set(CICD_EINVALID, "cicd_semver_sort: NULL items");
	if (!cicd__mul_ok(count, 2 * sizeof *recs, &bytes))
		return cicd__error_set(CICD_ELIMIT, "too many versions to sort");
	recs = cicd__malloc_or_set(bytes);
	if (!recs)
		return CICD_ENOMEM;
	if (pack_keys(recs, items, count, reverse)) {
		radix_sort(recs, recs + count, count);
		/* equal keys: same main version, same presence of pre-release and build */
		uint64_t plain = reverse ? ~(uint64_t)2 & 3 : 2;
		for (i = 0; i < count; i += run) {
			for (run = 1; i + run < count && recs[i + run].key == recs[i].key; run++)
				;
			if (run > 1 && (recs[i].key & 3) != plain)
				merge_sort(recs + i, recs + count, run, sign);
		}
	} else {
		for (i = 0; i < count; i++) {
			recs[i].key = 0;
			recs[i].v = items[i];
		}
		merge_sort(recs, recs + count, count, sign);
	}
	for (i = 0; i < count; i++)
		items[i] = recs[i].v;
	cicd__free(recs);
	return 0;
}
