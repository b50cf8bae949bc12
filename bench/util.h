/* Small helpers shared by the benchmarks: a monotonic clock, peak RSS, file reading, best-of-N timing. */
#ifndef CICD_BENCH_UTIL_H
#define CICD_BENCH_UTIL_H

#include <stddef.h>

double bench_now(void);
/* Peak resident set size of this process so far, in KiB. */
long bench_peak_rss_kib(void);
/* Reads a whole file (exits on failure). */
char *bench_read_file(const char *path, size_t *len);

#endif
