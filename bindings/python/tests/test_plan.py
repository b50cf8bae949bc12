"""plan: Trigger (every setter), Planner, Plan and PlanJob (every getter, the DAG),
glob_match; errors with positions; ownership."""
import gc
import json
import os

import pytest

import cicd

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "pipeline", ".gitlab-ci.yml")
RULES = "a:\n  script: x\n  rules:\n    - exists: [Makefile]\n    - changes: [src/*]\n      when: manual\n"
DAG = """stages: [build, test, deploy]
build:
  stage: build
  script: x
unit:
  stage: test
  script: x
lint:
  stage: test
  needs: []
  script: x
deploy:
  stage: deploy
  script: x
  variables: {TARGET: prod}
  needs: [unit]
"""


@pytest.fixture(scope="module")
def example():
    with cicd.Pipeline.load(EXAMPLE) as p:
        yield p


def test_feature_branch_plan_of_the_example(example):
    with cicd.plan(example, branch="feature/80-optimize-allocate", default_branch="master") as plan:
        assert plan.created and bool(plan) and plan.reason is None
        assert plan.name == "feature/80-optimize-allocate pipeline"
        assert plan.stages == ["static-check", "unit-test", "review"]
        assert [(j.name, j.stage, j.when, j.allow_failure) for j in plan] == [
            ("lint", "static-check", "on_success", False), ("unit-test", "unit-test", "on_success", False),
            ("code-review-design", "review", "manual", True), ("code-review-security", "review", "manual", True)]
        assert len(plan) == 4 and "lint" in plan and "deploy" not in plan
        lint = plan["lint"]
        assert (lint.start_in, lint.needs, lint.index) == (None, None, 0)
        assert lint.variables == {"GOPATH": "$CI_PROJECT_DIR/.cache/go"}
        assert lint.source.name == "lint" and lint.source.stage == "static-check"
        assert plan.variable("CI_COMMIT_BRANCH") == "feature/80-optimize-allocate"
        assert plan.variable("CI_DEFAULT_BRANCH") == "master"
        assert plan.variable("GO_VERSION") == "1.22"
        assert plan.variable("NOPE") is None
        with pytest.raises(KeyError):
            plan["deploy"]
        doc = json.loads(plan.to_json())
        assert doc["created"] is True and [j["name"] for j in doc["jobs"]][:2] == ["lint", "unit-test"]
        assert plan.to_json(pretty=True).startswith("{\n")


def test_no_pipeline_and_tag_pipeline(example):
    planner = cicd.Planner(example)
    nope = planner.plan(branch="nope")
    assert not nope.created and nope.reason == "Pipeline filtered out by workflow rules."
    assert nope.jobs == [] and repr(nope) == "<cicd.Plan not created: Pipeline filtered out by workflow rules.>"
    tag = planner.plan(cicd.Trigger.tag("v1.2.3"))
    assert tag.name == "v1.2.3 pipeline" and tag.variable("DEPLOY_ENV") == "production"
    assert "production-deploy" in tag


def test_dag_prerequisites_topological_order_and_critical_path():
    with cicd.Pipeline.loads(DAG, "dag.yml") as p, cicd.plan(p, branch="main") as plan:
        assert [j.name for j in plan] == ["build", "unit", "lint", "deploy"]
        assert [[q.name for q in j.prerequisites] for j in plan] == [[], ["build"], [], ["unit"]]
        assert plan["lint"].needs == [] and plan["deploy"].needs == ["unit"] and plan["unit"].needs is None
        assert plan["deploy"].variables == {"TARGET": "prod"}
        assert [j.name for j in plan.topological_order] == ["build", "unit", "lint", "deploy"]
        assert [j.name for j in plan.critical_path] == ["build", "unit", "deploy"]


def test_trigger_details_reach_predefined_variables():
    with cicd.Pipeline.loads("a:\n  script: x\n", "v.yml") as p:
        mr = cicd.plan(p, merge_request=("feature/x", "main", 7), labels=["a", "b"], title="T",
                       event_type="merged_result")
        assert mr.variable("CI_PIPELINE_SOURCE") == "merge_request_event"
        assert mr.variable("CI_MERGE_REQUEST_LABELS") == "a,b"
        assert mr.variable("CI_MERGE_REQUEST_TARGET_BRANCH_NAME") == "main"
        assert mr.variable("CI_MERGE_REQUEST_IID") == "7"
        sha = "0123456789abcdef0123456789abcdef01234567"
        b = cicd.plan(p, branch="f", sha=sha, project="g/p", source="web", open_merge_requests="g/p!1",
                      variables={"USER_VAR": "u"})
        assert (b.variable("CI_COMMIT_SHA"), b.variable("CI_COMMIT_SHORT_SHA")) == (sha, "01234567")
        assert (b.variable("CI_PROJECT_PATH"), b.variable("CI_PIPELINE_SOURCE")) == ("g/p", "web")
        assert (b.variable("CI_OPEN_MERGE_REQUESTS"), b.variable("USER_VAR")) == ("g/p!1", "u")


def test_pipeline_variables_decide_rules():
    with cicd.Pipeline.loads('a:\n  script: x\n  rules:\n    - if: $GO == "1"\n', "r.yml") as p:
        assert [j.name for j in cicd.plan(p, branch="main", variables={"GO": "1"})] == ["a"]
        assert not cicd.plan(p, branch="main", variables={"GO": "2"}).jobs


def test_changes_and_exists():
    with cicd.Pipeline.loads(RULES, "e.yml") as p:
        def when(**kw):
            return [(j.name, j.when) for j in cicd.plan(p, branch="main", **kw)]
        assert when() == [("a", "manual")]  # no file exists, changes unknown: always true
        seen = []
        assert when(exists=lambda g: seen.append(g) or g == "Makefile") == [("a", "on_success")]
        assert seen == ["Makefile"]
        assert when(changed=["src/a.c"]) == [("a", "manual")]
        assert when(changed=[]) == []  # known, and nothing changed
        assert when(changed=["docs/x.md"]) == []
        with pytest.raises(ZeroDivisionError):
            cicd.plan(p, branch="main", exists=lambda g: 1 / 0)
    assert cicd.glob_match("src/**/*.c", "src/a/b.c") and not cicd.glob_match("src/*.c", "src/a/b.c")


def test_trigger_errors():
    cases = [
        (lambda: cicd.Trigger.branch("x", sha="zz"), "commit sha must be 40 lower-case hex digits"),
        (lambda: cicd.Trigger("branch", "x", target_branch="main", iid=1),
         "merge-request details on a trigger that is not a merge request"),
        (lambda: cicd.Trigger.merge_request("f", "main", 0), "merge-request iid must be positive"),
        (lambda: cicd.Trigger.branch(""), "a trigger needs a ref (branch, tag or source branch)"),
        (lambda: cicd.Trigger.branch("x", source=""), "pipeline source must not be empty"),
    ]
    for make, message in cases:
        with pytest.raises(cicd.InvalidArgumentError) as ei:
            make()
        assert ei.value.message == message
    with pytest.raises(ValueError, match="kind must be one of"):
        cicd.Trigger("push", "x")
    with pytest.raises(TypeError):
        cicd.plan(cicd.Pipeline.loads("a:\n  script: x\n"), branch="a", tag="b")


def test_planner_parse_error_plan_validation_error_and_limit():
    with cicd.Pipeline.loads("a:\n  script: x\n  rules:\n    - if: $A ==\n", "bad.yml") as p:
        with pytest.raises(cicd.ParseError) as ei:
            cicd.Planner(p)
        e = ei.value
        assert (e.file, e.line, e.column) == ("bad.yml", 4, 14)
        assert e.message == "jobs:a:rules:rule if invalid expression syntax: == has no right operand"
    text = 'a:\n  script: x\n  rules:\n    - if: $GO == "1"\nb:\n  script: y\n  needs: [a]\n'
    with cicd.Pipeline.loads(text, "n.yml") as p:
        with pytest.raises(cicd.ValidationError) as ei:
            cicd.plan(p, branch="main")
        assert (ei.value.file, ei.value.line, ei.value.column) == ("n.yml", 7, 11)
        assert ei.value.message.startswith("'b' job needs 'a' job, but 'a' does not exist in the pipeline.")
    with cicd.Pipeline.loads("a:\n  script: x\n  parallel: 5\n", "m.yml") as p:
        with pytest.raises(cicd.LimitError) as ei:
            cicd.plan(p, branch="main", max_jobs=2)
        assert ei.value.message == "more than 2 jobs in one plan"
        assert [j.name for j in cicd.plan(p, branch="main")][:2] == ["a 1/5", "a 2/5"]


def test_ownership_plans_outlive_references_and_fail_after_close():
    p = cicd.Pipeline.load(EXAMPLE)
    plan = cicd.plan(p, branch="dev")
    job = plan["prerelease-deploy"]
    del p
    gc.collect()
    # The plan holds its planner, which holds the pipeline.
    assert job.needs == ["prerelease-image"] and job.source.name == "prerelease-deploy"
    plan.close()
    plan.close()
    with pytest.raises(ValueError, match="plan is closed"):
        job.name
    assert repr(plan) == "<cicd.Plan closed>"
    p2 = cicd.Pipeline.load(EXAMPLE)
    planner = cicd.Planner(p2)
    plan2 = planner.plan(branch="dev")
    p2.close()
    for use in (lambda: plan2.stages, lambda: plan2.jobs, lambda: planner.plan(branch="dev")):
        with pytest.raises(ValueError, match="pipeline is closed"):
            use()
    planner.close()
    planner.close()
    t = cicd.Trigger.branch("x", exists=lambda g: True)
    t.close()
    t.close()
    with pytest.raises(ValueError, match="trigger is closed"):
        cicd.Planner(cicd.Pipeline.load(EXAMPLE)).plan(t)


def test_a_trigger_is_reusable_across_plans():
    with cicd.Pipeline.load(EXAMPLE) as p, cicd.Planner(p) as planner, cicd.Trigger.branch("dev") as t:
        first = [j.name for j in planner.plan(t)]
        assert first == [j.name for j in planner.plan(t)]
        assert "prerelease-deploy" in first


INCLUDES = """include:
  - template: 'ci/${CI_COMMIT_REF_NAME}.yml'
  - project: $CI_PROJECT_NAMESPACE/tools
    ref: $TOOLS
    file: lib.yml
  - template: tag.yml
    rules: [{if: $CI_COMMIT_TAG}]
  - template: docs.yml
    rules: [{exists: ['docs/*.md']}]
a:
  script: x
"""


def test_a_trigger_decides_the_includes_as_gitlab_reads_them():
    asked = []

    def resolver(kind, location, project, ref, parent, depth):
        asked.append((kind, location, project, ref))
        return f"'from {location}':\n  script: s\n"

    def names(trigger):
        asked.clear()
        with cicd.Pipeline.loads(INCLUDES, resolver=resolver, trigger=trigger) as p:
            return [j.name for j in p.jobs]

    branch = cicd.Trigger.branch("dev", project="acme/shop", variables={"TOOLS": "v2"},
                                 exists=lambda glob: glob == "docs/*.md")
    assert names(branch) == ["from ci/dev.yml", "from lib.yml", "from docs.yml", "a"]
    assert asked == [("template", "ci/dev.yml", None, None), ("project", "lib.yml", "acme/tools", "v2"),
                     ("template", "docs.yml", None, None)]
    assert names(cicd.Trigger.tag("v1.0.0")) == ["from ci/v1.0.0.yml", "from lib.yml", "from tag.yml", "a"]
    assert names(None) == ["from ci/${CI_COMMIT_REF_NAME}.yml", "from lib.yml", "from tag.yml", "from docs.yml", "a"]

    class Broken(Exception):
        pass

    def broken(glob):
        raise Broken(glob)

    with pytest.raises(Broken):
        names(cicd.Trigger.branch("dev", exists=broken))


def test_a_triggers_masked_variables_never_show_in_include_errors():
    def resolver(kind, location, project, ref, parent, depth):
        return None if "missing" in location else (f"'from {location}':\n  script: s\n", location)

    text = "include:\n  - remote: https://h/$TOKEN/missing.yml\na:\n  script: x\n"
    trigger = cicd.Trigger.branch("dev", masked_variables={"TOKEN": "s3cr3t-t0ken"}, variables={"PLAIN": "p"})
    with pytest.raises(cicd.ValidationError) as ei:
        cicd.Pipeline.loads(text, "m.yml", resolver=resolver, trigger=trigger)
    assert ei.value.message == "Remote file `https://h/[MASKED]/missing.yml` does not exist!"
    assert "s3cr3t" not in str(ei.value)
    # the value is a variable like any other; a plain one shows as it is
    with cicd.Pipeline.loads("include: https://h/$TOKEN/$PLAIN.yml\na:\n  script: x\n", "m.yml",
                             resolver=resolver, trigger=trigger) as p:
        assert p.files == ["m.yml", "https://h/[MASKED]/p.yml"]
        assert p.jobs[0].name == "from https://h/s3cr3t-t0ken/p.yml"
    with pytest.raises(cicd.InvalidArgumentError) as ei:
        cicd.Trigger.branch("dev", masked_variables={"bad-name": "x"})
    assert "bad-name" in ei.value.message


COMPARED = """variables:
  BASE: main
app:
  script: x
  rules:
    - changes: {paths: ['src/*'], compare_to: 'refs/heads/$CI_DEFAULT_BRANCH'}
docs:
  script: x
  rules:
    - changes: {paths: ['docs/*'], compare_to: $BASE}
"""


def test_compare_answers_changes_compare_to():
    asked = []

    def compare(ref):
        asked.append(ref)
        return iter(["src/app.c"]) if ref in ("main", "refs/heads/main") else None

    with cicd.Pipeline.loads(COMPARED) as p, cicd.Planner(p) as planner:
        # a new branch: compare_to compares even though the push's changes are unknown
        with planner.plan(cicd.Trigger.branch("feature/x", default_branch="main", compare=compare)) as plan:
            assert [j.name for j in plan] == ["app"]
        assert asked == ["refs/heads/main", "main"]
        # None: the ref names no commit, which fails the job's rules as GitLab does
        with pytest.raises(cicd.ValidationError) as ei:
            planner.plan(branch="feature/x", variables={"BASE": "gone"}, compare=compare)
        assert ei.value.message == "Failed to parse rule for docs: rules:changes:compare_to is not a valid ref"
        assert (ei.value.line, ei.value.column) == (10, 7)

        class Broken(Exception):
            pass

        def broken(ref):
            raise Broken(ref)

        with pytest.raises(Broken, match="refs/heads/main"):
            planner.plan(branch="feature/x", default_branch="main", compare=broken)
        with pytest.raises(TypeError, match="paths as str, not int"):
            planner.plan(branch="feature/x", compare=lambda ref: [1])
        # both callables at once: exists and compare share the trigger's capsule
        with cicd.Trigger.branch("feature/x", default_branch="main", compare=compare,
                                 exists=lambda glob: True) as both, planner.plan(both) as plan:
            assert [j.name for j in plan] == ["app"]


def test_compare_decides_include_rules_while_loading():
    def resolver(kind, location, project, ref, parent, depth):
        return f"'from {location}':\n  script: s\n"

    text = ("include:\n  - template: app.yml\n    rules: [{changes: {paths: ['src/*'], compare_to: main}}]\n"
            "  - template: docs.yml\n    rules: [{changes: {paths: ['docs/*'], compare_to: main}}]\na:\n  script: x\n")
    trigger = cicd.Trigger.branch("feature/x", compare=lambda ref: ["src/app.c"] if ref == "main" else None)
    with cicd.Pipeline.loads(text, resolver=resolver, trigger=trigger) as p:
        assert [j.name for j in p.jobs] == ["from app.yml", "a"]

    def broken(ref):
        raise KeyError(ref)

    with pytest.raises(KeyError):
        cicd.Pipeline.loads(text, resolver=resolver, trigger=cicd.Trigger.branch("x", compare=broken))
