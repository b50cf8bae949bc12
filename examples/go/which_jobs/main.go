// which_jobs: which jobs run for this branch. Loads a .gitlab-ci.yml and
// plans a branch push; prints one job per line (name, stage, and "manual"
// for jobs that wait for a person).
//
//	go run ./which_jobs .gitlab-ci.yml feature/80-optimize-allocate [default-branch]
package main

import (
	"errors"
	"fmt"
	"os"

	cicd "github.com/libcicd/libcicd/bindings/go"
)

func main() {
	if len(os.Args) != 3 && len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: which_jobs .gitlab-ci.yml BRANCH [DEFAULT-BRANCH]")
		os.Exit(2)
	}
	defaultBranch := "master"
	if len(os.Args) == 4 {
		defaultBranch = os.Args[3]
	}
	if err := run(os.Args[1], os.Args[2], defaultBranch); err != nil {
		fmt.Fprintln(os.Stderr, err)
		var e *cicd.Error
		if errors.As(err, &e) && len(e.Diagnostics) > 1 {
			for _, d := range e.Diagnostics[1:] {
				fmt.Fprintf(os.Stderr, "%s:%d:%d: %s\n", d.File, d.Line, d.Column, d.Message)
			}
		}
		os.Exit(1)
	}
}

func run(path, branch, defaultBranch string) error {
	trigger := &cicd.Trigger{Kind: cicd.TriggerBranch, Ref: branch, DefaultBranch: defaultBranch}
	// The trigger also decides the includes: its variables in include locations, include:rules.
	pipeline, err := cicd.LoadPipeline(path, &cicd.PipelineOptions{Trigger: trigger})
	if err != nil {
		return err
	}
	defer pipeline.Close()
	plan, err := cicd.PlanPipeline(pipeline, trigger)
	if err != nil {
		return err
	}
	defer plan.Close()
	if !plan.Created {
		fmt.Println("no pipeline:", plan.Reason)
		return nil
	}
	for _, job := range plan.Jobs {
		manual := ""
		if job.When == "manual" {
			manual = " manual"
		}
		fmt.Printf("%s %s%s\n", job.Name, job.Stage, manual)
	}
	return nil
}
