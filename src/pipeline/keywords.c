/* The job keyword table. */
#include "keywords.h"

#include <string.h>

const char *const pl_keyword_names[PL_KW_COUNT] = {"after_script",
                                               "allow_failure",
                                               "artifacts",
                                               "before_script",
                                               "cache",
                                               "coverage",
                                               "dast_configuration",
                                               "dependencies",
                                               "environment",
                                               "except",
                                               "extends",
                                               "hooks",
                                               "id_tokens",
                                               "identity",
                                               "image",
                                               "inherit",
                                               "inputs",
                                               "interruptible",
                                               "manual_confirmation",
                                               "needs",
                                               "only",
                                               "pages",
                                               "parallel",
                                               "publish",
                                               "release",
                                               "resource_group",
                                               "retry",
                                               "rules",
                                               "run",
                                               "script",
                                               "secrets",
                                               "services",
                                               "stage",
                                               "start_in",
                                               "tags",
                                               "timeout",
                                               "trigger",
                                               "variables",
                                               "when"};

int pl_keyword(const char *name)
{
	size_t lo = 0, hi = PL_KW_COUNT;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		/* the first byte settles most steps without a call */
		int cmp = (unsigned char)name[0] - (unsigned char)pl_keyword_names[mid][0];
		if (!cmp)
			cmp = strcmp(name, pl_keyword_names[mid]);
		if (!cmp)
			return (int)mid;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

void pl_slots_fill(pl_slots *s, const cicd_node *job)
{
	size_t i;
	memset(s, 0, sizeof *s);
	if (!pl_is_map(job))
		return;
	for (i = 0; i < job->count; i++) {
		const cicd_node *k = job->u.map.pairs[i].key, *v = job->u.map.pairs[i].value;
		int kw;
		if (k->kind != CICD_NODE_SCALAR || (kw = pl_keyword(k->u.scalar.text)) < 0)
			continue;
		if (v->kind == CICD_NODE_SCALAR && v->value_type == CICD_VALUE_NULL && !v->meta->tag)
			v = NULL;
		/* the first of duplicate keys is shadowed by the last, as in the document */
		s->v[kw] = v;
	}
}
