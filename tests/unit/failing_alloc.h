/*
 * An allocator for allocation-failure loops, shared by every unit suite:
 * it fails once `cicd_test_alloc_budget` allocations have been made (-1:
 * never) and counts the blocks still live, so a loop can check that each
 * failing run returns CICD_ENOMEM and gives back every byte it took.
 *
 *   cicd_allocator_set(cicd_test_failing_malloc, cicd_test_failing_realloc, cicd_test_counting_free);
 *   for (n = 0; ...; n++) { cicd_test_alloc_budget = n; cicd_test_alloc_live = 0; ...; }
 *   cicd_allocator_reset();
 */
#ifndef CICD_TEST_FAILING_ALLOC_H
#define CICD_TEST_FAILING_ALLOC_H

#include <stddef.h>

extern long cicd_test_alloc_budget; /* allocations left before failing; -1 = unlimited */
extern long cicd_test_alloc_live;   /* blocks allocated and not yet freed */

void *cicd_test_failing_malloc(size_t n);
void *cicd_test_failing_realloc(void *p, size_t n);
void cicd_test_counting_free(void *p);

#endif
