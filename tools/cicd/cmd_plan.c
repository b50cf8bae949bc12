/* cicd plan — the pipeline GitLab would create for a trigger, as a table or JSON. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "git_compare.h"

static const char USAGE[] =
	"cicd plan [-f FILE] (--branch NAME | --tag NAME | --mr SOURCE:TARGET) [--source SOURCE]\n"
	"          [--default-branch NAME] [--var KEY=VALUE]... [--masked-var KEY]... [--changed PATH]...\n"
	"          [--compare-with-git] [--format text|json] [--project GROUP/NAME] [--sha SHA] [--mr-iid N]\n"
	"          [--mr-labels L1,L2] [--mr-event-type TYPE] [--open-mr VALUE]";

/* The repository's files, read once, for `exists`. */
typedef struct file_list {
	char **paths;
	size_t count, cap;
	int loaded;
	const char *root;
} file_list;

#define MAX_FILES 100000

static int add_path(file_list *fl, const char *path)
{
	if (fl->count == fl->cap) {
		size_t ncap = fl->cap ? fl->cap * 2 : 256;
		char **p = realloc(fl->paths, ncap * sizeof *p);
		if (!p)
			return -1;
		fl->paths = p;
		fl->cap = ncap;
	}
	if (!(fl->paths[fl->count] = strdup(path)))
		return -1;
	fl->count++;
	return 0;
}

static int walk(file_list *fl, const char *rel, int depth)
{
	char dir[4096];
	DIR *d;
	struct dirent *e;
	int rc = 0;
	snprintf(dir, sizeof dir, "%s%s%s", fl->root, *rel ? "/" : "", rel);
	if (depth > 64 || !(d = opendir(dir)))
		return 0;
	while (!rc && (e = readdir(d)) && fl->count < MAX_FILES) {
		char child[4096], full[8192];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || (!*rel && !strcmp(e->d_name, ".git")))
			continue;
		snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		snprintf(full, sizeof full, "%s/%s", fl->root, child);
		if (lstat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = walk(fl, child, depth + 1);
		else
			rc = add_path(fl, child);
	}
	closedir(d);
	return rc;
}

static int exists_in_tree(int *found, const char *glob, void *payload)
{
	file_list *fl = payload;
	size_t i;
	if (!fl->loaded) {
		fl->loaded = 1;
		if (walk(fl, "", 0))
			return CICD_ENOMEM;
	}
	*found = 0;
	for (i = 0; i < fl->count && !*found; i++)
		*found = cicd_plan_glob_match(glob, fl->paths[i]);
	return 0;
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void print_text(const cicd_plan *plan)
{
	size_t i, k, nj = cicd_plan_job_count(plan);
	if (!cicd_plan_created(plan)) {
		printf("no pipeline: %s\n", cicd_plan_reason(plan));
		return;
	}
	if (cicd_plan_name(plan))
		printf("pipeline: %s\n", cicd_plan_name(plan));
	printf("stages: ");
	for (i = 0; i < cicd_plan_stage_count(plan); i++)
		printf("%s%s", i ? ", " : "", cicd_plan_stage(plan, i));
	printf("\n\n%-20s %-36s %-10s %-13s %-9s %s\n", "STAGE", "JOB", "WHEN", "ALLOW_FAILURE", "START_IN", "NEEDS");
	for (i = 0; i < nj; i++) {
		const cicd_plan_job *j = cicd_plan_job_at(plan, i);
		long n = cicd_plan_job_need_count(j), m;
		printf("%-20s %-36s %-10s %-13s %-9s ", cicd_plan_job_stage(j), cicd_plan_job_name(j),
		       cicd_plan_job_when(j), cicd_plan_job_allow_failure(j) ? "yes" : "no",
		       or_dash(cicd_plan_job_start_in(j)));
		if (n < 0)
			printf("(stages)");
		else if (n == 0)
			printf("[]");
		for (m = 0; m < n; m++)
			printf("%s%s", m ? ", " : "", cicd_plan_job_need(j, (size_t)m));
		printf("\n");
	}
	printf("\ncritical path: ");
	for (k = 0; k < cicd_plan_critical_path_count(plan); k++)
		printf("%s%s", k ? " -> " : "",
		       cicd_plan_job_name(cicd_plan_job_at(plan, cicd_plan_critical_path(plan, k))));
	printf("\n");
}

typedef struct args {
	const char *file, *branch, *tag, *mr, *source, *default_branch, *format, *project, *sha;
	const char *mr_labels, *mr_event_type, *open_mr;
	unsigned int mr_iid;
	int compare_with_git;
	const char **vars, **masked, **changed;
	size_t nvars, nmasked, nchanged;
} args;

static int push(const char ***list, size_t *n, const char *v)
{
	const char **p = realloc(*list, (*n + 1) * sizeof *p);
	if (!p)
		return -1;
	*list = p;
	p[(*n)++] = v;
	return 0;
}

static int parse_args(args *a, int argc, char **argv)
{
	int i;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v;
		if (cli_is(o, "-h", "--help")) {
			printf("usage: %s\n\nPlans the pipeline GitLab would create for the trigger: which jobs run, in which\n"
			       "stages, with which when, allow_failure, needs and variables (docs/plan.md).\n",
			       USAGE);
			return 1;
		}
		if (!strcmp(o, "--compare-with-git")) {
			a->compare_with_git = 1;
			continue;
		}
		if (i + 1 >= argc) {
			cli_usage(USAGE, "%s needs an argument", o);
			return -1;
		}
		v = argv[++i];
		if (cli_is(o, "-f", "--file"))
			a->file = v;
		else if (!strcmp(o, "--branch"))
			a->branch = v;
		else if (!strcmp(o, "--tag"))
			a->tag = v;
		else if (!strcmp(o, "--mr"))
			a->mr = v;
		else if (!strcmp(o, "--source"))
			a->source = v;
		else if (!strcmp(o, "--default-branch"))
			a->default_branch = v;
		else if (!strcmp(o, "--format"))
			a->format = v;
		else if (!strcmp(o, "--project"))
			a->project = v;
		else if (!strcmp(o, "--sha"))
			a->sha = v;
		else if (!strcmp(o, "--mr-labels"))
			a->mr_labels = v;
		else if (!strcmp(o, "--mr-event-type"))
			a->mr_event_type = v;
		else if (!strcmp(o, "--open-mr"))
			a->open_mr = v;
		else if (!strcmp(o, "--mr-iid")) {
			char *end;
			unsigned long n = strtoul(v, &end, 10);
			if (*end || n == 0 || n > 4000000000ul) {
				cli_usage(USAGE, "--mr-iid needs a positive number, not '%s'", v);
				return -1;
			}
			a->mr_iid = (unsigned int)n;
		} else if (!strcmp(o, "--var")) {
			if (!strchr(v, '=')) {
				cli_usage(USAGE, "--var needs KEY=VALUE, not '%s'", v);
				return -1;
			}
			if (push(&a->vars, &a->nvars, v))
				return -2;
		} else if (!strcmp(o, "--masked-var")) {
			/* the value comes from the environment, so the secret is never in the process list */
			if (!getenv(v)) {
				cli_usage(USAGE, "--masked-var %s: no environment variable %s holds its value", v, v);
				return -1;
			}
			if (push(&a->masked, &a->nmasked, v))
				return -2;
		} else if (!strcmp(o, "--changed")) {
			if (push(&a->changed, &a->nchanged, v))
				return -2;
		} else {
			cli_usage(USAGE, "unknown argument '%s'", o);
			return -1;
		}
	}
	if (!!a->branch + !!a->tag + !!a->mr != 1) {
		cli_usage(USAGE, "give exactly one of --branch, --tag, --mr");
		return -1;
	}
	if (a->mr && (!strchr(a->mr, ':') || a->mr[0] == ':' || !strchr(a->mr, ':')[1])) {
		cli_usage(USAGE, "--mr needs SOURCE:TARGET, not '%s'", a->mr);
		return -1;
	}
	if (!a->mr && (a->mr_iid || a->mr_labels || a->mr_event_type)) {
		cli_usage(USAGE, "--mr-iid, --mr-labels and --mr-event-type need --mr");
		return -1;
	}
	if (strcmp(a->format, "text") && strcmp(a->format, "json")) {
		cli_usage(USAGE, "--format is text or json, not '%s'", a->format);
		return -1;
	}
	return 0;
}

static int build_trigger(cicd_trigger **t, const args *a, file_list *files)
{
	size_t i;
	char source[1024];
	if (a->branch && cicd_trigger_new(t, CICD_TRIGGER_BRANCH, a->branch))
		return -1;
	if (a->tag && cicd_trigger_new(t, CICD_TRIGGER_TAG, a->tag))
		return -1;
	if (a->mr) {
		const char *colon = strchr(a->mr, ':');
		snprintf(source, sizeof source, "%.*s", (int)(colon - a->mr), a->mr);
		if (cicd_trigger_new(t, CICD_TRIGGER_MERGE_REQUEST, source) ||
		    cicd_trigger_set_merge_request(*t, colon + 1, a->mr_iid ? a->mr_iid : 1, a->mr_event_type,
						   a->mr_labels, NULL))
			return -1;
	}
	if ((a->source && cicd_trigger_set_source(*t, a->source)) ||
	    (a->default_branch && cicd_trigger_set_default_branch(*t, a->default_branch)) ||
	    (a->project && cicd_trigger_set_project(*t, a->project)) || (a->sha && cicd_trigger_set_sha(*t, a->sha)) ||
	    (a->open_mr && cicd_trigger_set_open_merge_requests(*t, a->open_mr)))
		return -1;
	for (i = 0; i < a->nvars; i++) {
		char name[256];
		const char *eq = strchr(a->vars[i], '=');
		snprintf(name, sizeof name, "%.*s", (int)(eq - a->vars[i]), a->vars[i]);
		if (cicd_trigger_set_variable(*t, name, eq + 1))
			return -1;
	}
	for (i = 0; i < a->nmasked; i++)
		if (cicd_trigger_set_masked_variable(*t, a->masked[i], getenv(a->masked[i])))
			return -1;
	for (i = 0; i < a->nchanged; i++)
		if (cicd_trigger_add_changed(*t, a->changed[i]))
			return -1;
	/* compare_to: git in the pipeline's directory answers (the plan runs on this thread) */
	if (a->compare_with_git && cicd_trigger_set_compare(*t, cli_git_compare, (void *)(uintptr_t)files->root))
		return -1;
	return cicd_trigger_set_exists(*t, exists_in_tree, files);
}

int cmd_plan(int argc, char **argv)
{
	args a;
	file_list files;
	cicd_pipeline *pipeline = NULL;
	cicd_diagnostics *diags = NULL;
	cicd_planner *planner = NULL;
	cicd_trigger *trigger = NULL;
	cicd_plan *plan = NULL;
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	cicd_buf out = CICD_BUF_INIT;
	char root[4096];
	const char *slash;
	int rc = EXIT_FAIL, parsed;
	size_t i;
	memset(&a, 0, sizeof a);
	memset(&files, 0, sizeof files);
	a.file = ".gitlab-ci.yml";
	a.format = "text";
	parsed = parse_args(&a, argc, argv);
	if (parsed != 0) {
		rc = parsed == 1 ? EXIT_OK : parsed == -2 ? EXIT_FAIL : EXIT_USAGE;
		goto done;
	}
	slash = strrchr(a.file, '/');
	snprintf(root, sizeof root, "%.*s", slash ? (int)(slash - a.file) : 1, slash ? a.file : ".");
	files.root = root;
	if (build_trigger(&trigger, &a, &files)) {
		cli_print_error();
		goto done;
	}
	/* Includes as GitLab reads them for this trigger: its variables in locations, its include:rules, its secrets masked. */
	opts.include_variables = cicd_trigger_lookup;
	opts.include_variables_payload = trigger;
	opts.include_rules = cicd_trigger_include_rules;
	opts.include_rules_payload = trigger;
	opts.masked_values = cicd_trigger_masked_values(trigger, &opts.masked_value_count);
	if (cicd_pipeline_load_file(&pipeline, &diags, a.file, &opts) != 0) {
		size_t n = cicd_diagnostics_count(diags);
		for (i = 0; i < n; i++)
			cli_print_diagnostic(stderr, cicd_diagnostics_get(diags, i));
		if (!n)
			cli_print_error();
		goto done;
	}
	if (cicd_planner_new(&planner, pipeline, NULL) || cicd_plan_create(&plan, planner, trigger)) {
		cli_print_error();
		goto done;
	}
	if (!strcmp(a.format, "json")) {
		if (cicd_plan_to_json(&out, plan, CICD_FORMAT_PRETTY)) {
			cli_print_error();
			goto done;
		}
		fwrite(out.ptr, 1, out.size, stdout);
	} else {
		print_text(plan);
	}
	rc = EXIT_OK;
done:
	cicd_buf_dispose(&out);
	cicd_plan_free(plan);
	cicd_trigger_free(trigger);
	cicd_planner_free(planner);
	cicd_pipeline_free(pipeline);
	cicd_diagnostics_free(diags);
	for (i = 0; i < files.count; i++)
		free(files.paths[i]);
	free(files.paths);
	free(a.vars);
	free(a.masked);
	free(a.changed);
	return rc;
}
