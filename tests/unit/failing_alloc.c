#include "failing_alloc.h"

#include <stdlib.h>

long cicd_test_alloc_budget = -1;
long cicd_test_alloc_live = 0;

void *cicd_test_failing_malloc(size_t n)
{
	void *p;
	if (cicd_test_alloc_budget == 0)
		return NULL;
	if (cicd_test_alloc_budget > 0)
		cicd_test_alloc_budget--;
	p = malloc(n);
	if (p)
		cicd_test_alloc_live++;
	return p;
}

void *cicd_test_failing_realloc(void *p, size_t n)
{
	void *q;
	if (cicd_test_alloc_budget == 0)
		return NULL;
	if (cicd_test_alloc_budget > 0)
		cicd_test_alloc_budget--;
	q = realloc(p, n);
	if (q && !p)
		cicd_test_alloc_live++;
	return q;
}

void cicd_test_counting_free(void *p)
{
	if (p)
		cicd_test_alloc_live--;
	free(p);
}
