/*
 * The plan's DAG: a job with `needs` waits for those jobs; a job without
 * waits for every job of the earlier stages. Jobs are sorted by stage, so
 * those prerequisites are the index range before the job's stage and are
 * never stored. Topological order goes stage by stage (Kahn's algorithm
 * inside a stage, lowest index first); the critical path is the longest
 * chain counted in jobs.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "internal.h"

/* A binary min-heap of job indices. */
typedef struct heap {
	size_t *items;
	size_t count;
} heap;

static void heap_push(heap *h, size_t v)
{
	size_t i = h->count++;
	h->items[i] = v;
	while (i > 0 && h->items[(i - 1) / 2] > h->items[i]) {
		size_t p = (i - 1) / 2, tmp = h->items[p];
		h->items[p] = h->items[i];
		h->items[i] = tmp;
		i = p;
	}
}

static size_t heap_pop(heap *h)
{
	size_t top = h->items[0], i = 0;
	h->items[0] = h->items[--h->count];
	while (1) {
		size_t l = 2 * i + 1, r = l + 1, m = i, tmp;
		if (l < h->count && h->items[l] < h->items[m])
			m = l;
		if (r < h->count && h->items[r] < h->items[m])
			m = r;
		if (m == i)
			break;
		tmp = h->items[m];
		h->items[m] = h->items[i];
		h->items[i] = tmp;
		i = m;
	}
	return top;
}

/* Topological order of the stage group [a, b); emitted indices appended at plan->topo + *n. */
static int order_group(cicd_plan *plan, size_t a, size_t b, size_t *n, size_t *indeg, heap *h)
{
	size_t i, k, emitted = 0, edges = 0;
	for (i = a; i < b; i++) {
		cicd_plan_job *j = &plan->jobs[i];
		indeg[i] = 0;
		for (k = 0; j->nneeds >= 0 && k < j->nprereqs; k++) {
			if (j->prereqs[k] >= b)
				return cicd__error_set(CICD_EVALIDATE, "'%s' job needs '%s' job of a later stage",
						       j->name, plan->jobs[j->prereqs[k]].name);
			if (j->prereqs[k] >= a) {
				indeg[i]++;
				edges++;
			}
		}
		if (!indeg[i])
			heap_push(h, i);
	}
	while (h->count) {
		size_t v = heap_pop(h);
		plan->topo[(*n)++] = v;
		emitted++;
		/* Release the jobs of this stage that need v. */
		for (i = a; edges && i < b; i++) {
			cicd_plan_job *j = &plan->jobs[i];
			for (k = 0; j->nneeds >= 0 && k < j->nprereqs; k++)
				if (j->prereqs[k] == v && --indeg[i] == 0)
					heap_push(h, i);
		}
	}
	if (emitted != b - a) {
		for (i = a; i < b && !indeg[i]; i++)
			;
		return cicd__error_set(CICD_EVALIDATE, "needs of '%s' form a cycle", plan->jobs[i].name);
	}
	return 0;
}

int cicd__plan_build_dag(cicd_plan *plan)
{
	size_t n = plan->njobs, a, b, i, k, count = 0, best_before = (size_t)-1, end = 0;
	size_t *indeg = NULL, *dist = NULL, *pred = NULL;
	heap h = {NULL, 0};
	int rc = 0;
	if (!n)
		return 0;
	plan->topo = cicd__malloc(n * sizeof *plan->topo);
	indeg = cicd__malloc(n * sizeof *indeg);
	dist = cicd__calloc(n, sizeof *dist);
	pred = cicd__malloc(n * sizeof *pred);
	h.items = cicd__malloc(n * sizeof *h.items);
	if (!plan->topo || !indeg || !dist || !pred || !h.items) {
		rc = cicd__error_oom();
		goto done;
	}
	for (a = 0; a < n && !rc; a = b) {
		size_t group_best = (size_t)-1;
		for (b = a; b < n && plan->jobs[b].stage_index == plan->jobs[a].stage_index; b++)
			if (plan->jobs[b].nneeds < 0)
				plan->jobs[b].nprereqs = a; /* every job before this stage */
		if ((rc = order_group(plan, a, b, &count, indeg, &h)) != 0)
			break;
		for (i = count - (b - a); i < count; i++) {
			size_t v = plan->topo[i];
			cicd_plan_job *j = &plan->jobs[v];
			pred[v] = (size_t)-1;
			if (j->nneeds < 0) {
				if (best_before != (size_t)-1) {
					dist[v] = dist[best_before] + 1;
					pred[v] = best_before;
				} else {
					dist[v] = 1;
				}
			} else {
				dist[v] = 1;
				for (k = 0; k < j->nprereqs; k++) {
					size_t p = j->prereqs[k];
					if (dist[p] + 1 > dist[v] || (dist[p] + 1 == dist[v] && pred[v] != (size_t)-1 && p < pred[v])) {
						dist[v] = dist[p] + 1;
						pred[v] = p;
					}
				}
			}
		}
		for (i = a; i < b; i++)
			if (group_best == (size_t)-1 || dist[i] > dist[group_best])
				group_best = i;
		if (best_before == (size_t)-1 || dist[group_best] > dist[best_before])
			best_before = group_best;
	}
	if (rc)
		goto done;
	for (i = 0; i < n; i++)
		if (dist[i] > dist[end])
			end = i;
	plan->ncritical = dist[end];
	if (!(plan->critical = cicd__malloc(plan->ncritical * sizeof *plan->critical))) {
		rc = cicd__error_oom();
		goto done;
	}
	for (i = plan->ncritical, k = end; i > 0; k = pred[k])
		plan->critical[--i] = k;
done:
	cicd__free(indeg);
	cicd__free(dist);
	cicd__free(pred);
	cicd__free(h.items);
	return rc;
}
