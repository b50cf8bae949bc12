/*
 * plan: load a .gitlab-ci.yml and show the pipeline GitLab would create for
 * each branch given, job by job, with the critical path.
 *
 * check-args: pipeline/.gitlab-ci.yml feature/80-optimize-allocate dev master
 */
#include <stdio.h>

#include <cicd/cicd.h>

static int show(const cicd_planner *planner, const char *branch)
{
	cicd_trigger *trigger = NULL;
	cicd_plan *plan = NULL;
	size_t i;
	if (cicd_trigger_new(&trigger, CICD_TRIGGER_BRANCH, branch) ||
	    cicd_trigger_set_default_branch(trigger, "master") || cicd_plan_create(&plan, planner, trigger)) {
		fprintf(stderr, "%s\n", cicd_error_last()->message);
		cicd_trigger_free(trigger);
		return 1;
	}
	printf("%s:", branch);
	if (!cicd_plan_created(plan))
		printf(" no pipeline (%s)", cicd_plan_reason(plan));
	for (i = 0; i < cicd_plan_job_count(plan); i++) {
		const cicd_plan_job *job = cicd_plan_job_at(plan, i);
		printf(" %s/%s(%s)", cicd_plan_job_stage(job), cicd_plan_job_name(job), cicd_plan_job_when(job));
	}
	printf("\n  critical path:");
	for (i = 0; i < cicd_plan_critical_path_count(plan); i++)
		printf(" %s", cicd_plan_job_name(cicd_plan_job_at(plan, cicd_plan_critical_path(plan, i))));
	printf("\n");
	cicd_plan_free(plan);
	cicd_trigger_free(trigger);
	return 0;
}

int main(int argc, char **argv)
{
	cicd_pipeline *pipeline = NULL;
	cicd_planner *planner = NULL;
	int i, rc = 0;
	if (argc < 3) {
		fprintf(stderr, "usage: %s .gitlab-ci.yml BRANCH...\n", argv[0]);
		return 2;
	}
	if (cicd_pipeline_load_file(&pipeline, NULL, argv[1], NULL) || cicd_planner_new(&planner, pipeline, NULL)) {
		const cicd_error *e = cicd_error_last();
		fprintf(stderr, "%s:%u:%u: %s\n", e->file, e->line, e->column, e->message);
		cicd_pipeline_free(pipeline);
		return 1;
	}
	for (i = 2; i < argc; i++)
		rc |= show(planner, argv[i]);
	cicd_planner_free(planner);
	cicd_pipeline_free(pipeline);
	return rc;
}
