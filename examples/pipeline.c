/*
 * pipeline: load a .gitlab-ci.yml with its includes, and list its jobs
 * with stage, when and rules; print every error as FILE:LINE:COL: message.
 *
 * check-args: pipeline/.gitlab-ci.yml
 */
#include <stdio.h>

#include <cicd/cicd.h>
#include <cicd/pipeline.h>

int main(int argc, char **argv)
{
	cicd_pipeline *p = NULL;
	cicd_diagnostics *diags = NULL;
	size_t i, j;
	int rc;
	if (argc != 2) {
		fprintf(stderr, "usage: %s .gitlab-ci.yml\n", argv[0]);
		return 2;
	}
	rc = cicd_pipeline_load_file(&p, &diags, argv[1], NULL);
	for (i = 0; i < cicd_diagnostics_count(diags); i++) {
		const cicd_diagnostic *d = cicd_diagnostics_get(diags, i);
		fprintf(stderr, "%s:%u:%u: %s\n", d->file, d->line, d->column, d->message);
	}
	cicd_diagnostics_free(diags);
	if (rc) {
		if (rc != CICD_EVALIDATE)
			fprintf(stderr, "%s\n", cicd_error_last()->message);
		return 1;
	}
	for (i = 0; i < cicd_pipeline_stage_count(p); i++)
		printf("%s%s", i ? " -> " : "stages: ", cicd_pipeline_stage(p, i));
	printf("\n");
	for (i = 0; i < cicd_pipeline_job_count(p); i++) {
		const cicd_job *job = cicd_pipeline_job(p, i);
		printf("%-28s stage=%-16s when=%-10s", cicd_job_name(job), cicd_job_stage(job), cicd_job_when(job));
		for (j = 0; j < cicd_job_rule_count(job); j++) {
			const cicd_rule *r = cicd_job_rule(job, j);
			printf(" [if %s%s%s]", cicd_rule_if(r) ? cicd_rule_if(r) : "(always)",
			       cicd_rule_when(r) ? " -> " : "", cicd_rule_when(r) ? cicd_rule_when(r) : "");
		}
		printf("\n");
	}
	cicd_pipeline_free(p);
	return 0;
}
