#!/usr/bin/env python3
"""Which jobs run for this branch: load a .gitlab-ci.yml and plan a branch push.

    python3 which_jobs.py .gitlab-ci.yml feature/80-optimize-allocate [default-branch]

Prints one job per line: name, stage and "manual" for jobs that wait for a person.
Exits 1 with the error (file:line:col: message) when the configuration is invalid.
"""
import sys

import cicd


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path, branch = argv[1], argv[2]
    default_branch = argv[3] if len(argv) == 4 else "master"
    try:
        # The trigger also decides the includes: its variables in include locations, include:rules.
        with cicd.Trigger.branch(branch, default_branch=default_branch) as trigger, \
                cicd.Pipeline.load(path, trigger=trigger) as pipeline, \
                cicd.plan(pipeline, trigger) as plan:
            if not plan.created:
                print(f"no pipeline: {plan.reason}")
                return 0
            for job in plan:
                manual = " manual" if job.when == "manual" else ""
                print(f"{job.name} {job.stage}{manual}")
    except cicd.Error as e:
        print(e, file=sys.stderr)
        for d in e.diagnostics[1:]:
            print(d, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
