/* The trigger of a pipeline and the predefined variables GitLab sets for it. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "internal.h"

static int refresh(cicd_trigger *t);

static int replace(char **slot, const char *value)
{
	char *copy = NULL;
	if (value && !(copy = cicd__strdup(value)))
		return cicd__error_oom();
	cicd__free(*slot);
	*slot = copy;
	return 0;
}

int cicd_trigger_new(cicd_trigger **out, cicd_trigger_kind kind, const char *ref)
{
	cicd_trigger *t;
	if (!out)
		return cicd__error_set(CICD_EINVALID, "cicd_trigger_new: out is NULL");
	*out = NULL;
	if (kind < CICD_TRIGGER_BRANCH || kind > CICD_TRIGGER_MERGE_REQUEST)
		return cicd__error_set(CICD_EINVALID, "unknown trigger kind %d", (int)kind);
	if (!ref || !*ref)
		return cicd__error_set(CICD_EINVALID, "a trigger needs a ref (branch, tag or source branch)");
	if (!(t = cicd__calloc(1, sizeof *t)))
		return cicd__error_oom();
	t->kind = kind;
	if (replace(&t->ref, ref) || replace(&t->default_branch, "main") || replace(&t->project, "group/project") ||
	    replace(&t->source, kind == CICD_TRIGGER_MERGE_REQUEST ? "merge_request_event" : "push") ||
	    (kind == CICD_TRIGGER_MERGE_REQUEST && replace(&t->mr_event_type, "detached"))) {
		cicd_trigger_free(t);
		return CICD_ENOMEM;
	}
	if (kind == CICD_TRIGGER_MERGE_REQUEST) {
		t->mr_iid = 1;
		if (replace(&t->mr_target, "main")) {
			cicd_trigger_free(t);
			return CICD_ENOMEM;
		}
	}
	if (refresh(t)) {
		cicd_trigger_free(t);
		return CICD_ENOMEM;
	}
	*out = t;
	return 0;
}

void cicd_trigger_free(cicd_trigger *t)
{
	size_t i;
	if (!t)
		return;
	cicd__free(t->ref);
	cicd__free(t->source);
	cicd__free(t->default_branch);
	cicd__free(t->project);
	cicd__free(t->sha);
	cicd__free(t->mr_target);
	cicd__free(t->mr_event_type);
	cicd__free(t->mr_labels);
	cicd__free(t->mr_title);
	cicd__free(t->open_mrs);
	cicd__vars_dispose(&t->user);
	cicd__free(t->masked_values);
	cicd__vars_dispose(&t->predefined);
	for (i = 0; i < t->nchanged; i++)
		cicd__free(t->changed[i]);
	cicd__free(t->changed);
	cicd__free(t);
}

static int need_text(const cicd_trigger *t, const char *value, const char *what)
{
	if (!t)
		return cicd__error_set(CICD_EINVALID, "trigger is NULL");
	if (!value || !*value)
		return cicd__error_set(CICD_EINVALID, "%s must not be empty", what);
	return 0;
}

int cicd_trigger_set_source(cicd_trigger *t, const char *source)
{
	int rc = need_text(t, source, "pipeline source");
	return rc ? rc : replace(&t->source, source) ? CICD_ENOMEM : refresh(t);
}

int cicd_trigger_set_default_branch(cicd_trigger *t, const char *branch)
{
	int rc = need_text(t, branch, "default branch");
	return rc ? rc : replace(&t->default_branch, branch) ? CICD_ENOMEM : refresh(t);
}

int cicd_trigger_set_project(cicd_trigger *t, const char *path)
{
	int rc = need_text(t, path, "project path");
	if (!rc && !strchr(path, '/'))
		rc = cicd__error_set(CICD_EINVALID, "project path '%s' has no namespace (group/project)", path);
	return rc ? rc : replace(&t->project, path) ? CICD_ENOMEM : refresh(t);
}

int cicd_trigger_set_sha(cicd_trigger *t, const char *sha)
{
	int rc = need_text(t, sha, "commit sha");
	size_t i;
	if (rc)
		return rc;
	for (i = 0; sha[i]; i++)
		if (!strchr("0123456789abcdef", sha[i]))
			break;
	if (i != 40 || sha[i])
		return cicd__error_set(CICD_EINVALID, "commit sha must be 40 lower-case hex digits");
	return replace(&t->sha, sha) ? CICD_ENOMEM : refresh(t);
}

int cicd_trigger_set_merge_request(cicd_trigger *t, const char *target_branch, unsigned int iid,
				   const char *event_type, const char *labels, const char *title)
{
	int rc = need_text(t, target_branch, "target branch");
	if (rc)
		return rc;
	if (t->kind != CICD_TRIGGER_MERGE_REQUEST)
		return cicd__error_set(CICD_EINVALID, "merge-request details on a trigger that is not a merge request");
	if (iid == 0)
		return cicd__error_set(CICD_EINVALID, "merge-request iid must be positive");
	if (event_type && strcmp(event_type, "detached") && strcmp(event_type, "merged_result") &&
	    strcmp(event_type, "merge_train"))
		return cicd__error_set(CICD_EINVALID,
				       "merge-request event type '%s' is not detached, merged_result or merge_train",
				       event_type);
	t->mr_iid = iid;
	if (replace(&t->mr_target, target_branch) || replace(&t->mr_event_type, event_type ? event_type : "detached") ||
	    replace(&t->mr_labels, labels) || replace(&t->mr_title, title))
		return CICD_ENOMEM;
	return refresh(t);
}

int cicd_trigger_set_open_merge_requests(cicd_trigger *t, const char *value)
{
	if (!t)
		return cicd__error_set(CICD_EINVALID, "trigger is NULL");
	return replace(&t->open_mrs, value && *value ? value : NULL) ? CICD_ENOMEM : refresh(t);
}

/* Lists the masked variables' non-empty values again after a change; room was made beforehand. */
static void list_masked(cicd_trigger *t)
{
	size_t i;
	t->nmasked = 0;
	for (i = 0; i < t->user.count; i++)
		if (t->user.items[i].masked && *t->user.items[i].value)
			t->masked_values[t->nmasked++] = t->user.items[i].value;
}

static int set_variable(cicd_trigger *t, const char *name, const char *value, int masked)
{
	size_t i;
	int rc = need_text(t, name, "variable name");
	if (rc)
		return rc;
	for (i = 0; name[i]; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return cicd__error_set(CICD_EINVALID, "variable name '%s' has characters other than A-Z, a-z, 0-9, _",
					       name);
	/* Room for every variable first: once a value is replaced, the list
	 * (which may point to the old one) must be rebuilt without failing. */
	if (t->masked_cap <= t->user.count) {
		size_t cap = t->user.count * 2 + 8;
		const char **values = cicd__realloc(t->masked_values, cap * sizeof *values);
		if (!values)
			return cicd__error_oom();
		t->masked_values = values;
		t->masked_cap = cap;
	}
	rc = cicd__vars_set_masked(&t->user, name, value ? value : "", masked);
	list_masked(t);
	return rc;
}

int cicd_trigger_set_variable(cicd_trigger *t, const char *name, const char *value)
{
	return set_variable(t, name, value, 0);
}

int cicd_trigger_set_masked_variable(cicd_trigger *t, const char *name, const char *value)
{
	return set_variable(t, name, value, 1);
}

const char *const *cicd_trigger_masked_values(const cicd_trigger *t, size_t *count)
{
	if (count)
		*count = t ? t->nmasked : 0;
	return t && t->nmasked ? t->masked_values : NULL;
}

int cicd_trigger_add_changed(cicd_trigger *t, const char *path)
{
	char **items;
	int rc = need_text(t, path, "changed path");
	if (rc)
		return rc;
	items = cicd__realloc(t->changed, (t->nchanged + 1) * sizeof *items);
	if (!items)
		return cicd__error_oom();
	t->changed = items;
	if (!(items[t->nchanged] = cicd__strdup(path)))
		return cicd__error_oom();
	t->nchanged++;
	t->changes_known = 1;
	return 0;
}

int cicd_trigger_set_changes_known(cicd_trigger *t)
{
	if (!t)
		return cicd__error_set(CICD_EINVALID, "trigger is NULL");
	t->changes_known = 1;
	return 0;
}

int cicd_trigger_set_exists(cicd_trigger *t, cicd_exists_cb cb, void *payload)
{
	if (!t)
		return cicd__error_set(CICD_EINVALID, "trigger is NULL");
	t->exists = cb;
	t->exists_payload = payload;
	return 0;
}

int cicd_trigger_set_compare(cicd_trigger *t, cicd_compare_cb cb, void *payload)
{
	if (!t)
		return cicd__error_set(CICD_EINVALID, "trigger is NULL");
	t->compare = cb;
	t->compare_payload = payload;
	return 0;
}

void cicd__ref_slug(char *buf, size_t cap, const char *ref)
{
	/* GitLab: downcase, every char outside [a-z0-9] becomes '-', first 63, no '-' at either end. */
	size_t n = 0, start = 0, i;
	char tmp[64];
	for (i = 0; ref[i] && n < 63; i++) {
		char c = ref[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		tmp[n++] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) ? c : '-';
	}
	while (start < n && tmp[start] == '-')
		start++;
	while (n > start && tmp[n - 1] == '-')
		n--;
	if (cap == 0)
		return;
	if (n - start >= cap)
		n = start + cap - 1;
	memcpy(buf, tmp + start, n - start);
	buf[n - start] = '\0';
}

#define SET(name, value)                                                                                         \
	do {                                                                                                     \
		if ((rc = cicd__vars_set(out, (name), (value), 0)) != 0)                                          \
			return rc;                                                                               \
	} while (0)

/* The predefined variables GitLab sets for this trigger. */
static int predefined(plan_vars *out, const cicd_trigger *t)
{
	char slug[64], buf[512], short_sha[9];
	const char *slash = strrchr(t->project, '/');
	int rc;
	SET("CI", "true");
	SET("GITLAB_CI", "true");
	SET("CI_SERVER", "yes");
	SET("CI_PIPELINE_SOURCE", t->source);
	SET("CI_DEFAULT_BRANCH", t->default_branch);
	SET("CI_PROJECT_PATH", t->project);
	SET("CI_PROJECT_NAME", slash ? slash + 1 : t->project);
	snprintf(buf, sizeof buf, "%.*s", (int)(slash ? (size_t)(slash - t->project) : 0), t->project);
	SET("CI_PROJECT_NAMESPACE", buf);
	snprintf(buf, sizeof buf, "/builds/%s", t->project);
	SET("CI_PROJECT_DIR", buf);
	if (t->sha) {
		memcpy(short_sha, t->sha, 8);
		short_sha[8] = '\0';
		SET("CI_COMMIT_SHA", t->sha);
		SET("CI_COMMIT_SHORT_SHA", short_sha);
	}
	SET("CI_COMMIT_BEFORE_SHA", "0000000000000000000000000000000000000000");
	SET("CI_COMMIT_REF_NAME", t->ref);
	cicd__ref_slug(slug, sizeof slug, t->ref);
	SET("CI_COMMIT_REF_SLUG", slug);
	switch (t->kind) {
	case CICD_TRIGGER_BRANCH:
		SET("CI_COMMIT_BRANCH", t->ref);
		if (t->open_mrs)
			SET("CI_OPEN_MERGE_REQUESTS", t->open_mrs);
		break;
	case CICD_TRIGGER_TAG:
		SET("CI_COMMIT_TAG", t->ref);
		break;
	case CICD_TRIGGER_MERGE_REQUEST:
		snprintf(buf, sizeof buf, "%u", t->mr_iid);
		SET("CI_MERGE_REQUEST_IID", buf);
		SET("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", t->ref);
		SET("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", t->mr_target);
		SET("CI_MERGE_REQUEST_EVENT_TYPE", t->mr_event_type);
		SET("CI_MERGE_REQUEST_PROJECT_PATH", t->project);
		SET("CI_MERGE_REQUEST_SOURCE_PROJECT_PATH", t->project);
		snprintf(buf, sizeof buf, "refs/merge-requests/%u/head", t->mr_iid);
		SET("CI_MERGE_REQUEST_REF_PATH", buf);
		SET("CI_MERGE_REQUEST_DRAFT", "false");
		if (t->mr_labels)
			SET("CI_MERGE_REQUEST_LABELS", t->mr_labels);
		if (t->mr_title)
			SET("CI_MERGE_REQUEST_TITLE", t->mr_title);
		snprintf(buf, sizeof buf, "%s!%u", t->project, t->mr_iid);
		SET("CI_OPEN_MERGE_REQUESTS", buf);
		break;
	}
	return 0;
}

/* The predefined variables again, after a setter changed what they come from. */
static int refresh(cicd_trigger *t)
{
	plan_vars fresh;
	int rc;
	memset(&fresh, 0, sizeof fresh);
	if ((rc = predefined(&fresh, t)) != 0) {
		cicd__vars_dispose(&fresh);
		return rc;
	}
	cicd__vars_dispose(&t->predefined);
	t->predefined = fresh;
	return 0;
}

int cicd_trigger_lookup(const char **value, size_t *len, const char *name, void *payload)
{
	const cicd_trigger *t = payload;
	const plan_var *var;
	if (!t || !name)
		return 0;
	if (!(var = cicd__vars_get(&t->user, name)) && !(var = cicd__vars_get(&t->predefined, name)))
		return 0;
	*value = var->value;
	*len = strlen(var->value);
	return 1;
}
