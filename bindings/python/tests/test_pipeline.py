"""pipeline: Pipeline (load, loads, includes, resolver) and every accessor of jobs, rules,
needs, policies and variables; errors with diagnostics; ownership."""
import gc
import os

import pytest

import cicd

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "testdata")
FULL = os.path.join(DATA, "full.gitlab-ci.yml")
BASE = os.path.join(DATA, "templates", "base.yml")
EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "pipeline", ".gitlab-ci.yml")


@pytest.fixture(scope="module")
def full():
    with cicd.Pipeline.load(FULL) as p:
        yield p


def test_pipeline_level_accessors(full):
    assert full.name == FULL
    assert full.files == [FULL, BASE]
    assert full.stages == [".pre", "build", "test", "deploy", ".post"]
    assert full.warnings == []
    assert full.workflow_name == "pipeline for $CI_COMMIT_REF_NAME"
    assert (full.auto_cancel_on_new_commit, full.auto_cancel_on_job_failure) == ("interruptible", "all")
    assert [(v.name, v.value, v.description, v.expand, v.options, v.node.line) for v in full.variables] == [
        ("GLOBAL", "g", None, True, [], 16), ("CHOICE", "a", "pick one", True, ["a", "b"], 18),
        ("RAW", "$NOT_EXPANDED", None, False, [], 22)]
    [branch, never] = full.workflow_rules
    assert (branch.if_, branch.when, [(v.name, v.value) for v in branch.variables]) == (
        "$CI_COMMIT_BRANCH", None, [("FLOW", "branch")])
    assert (never.if_, never.when) == (None, "never")
    assert full.default.to_python()["retry"] == {"max": 2, "when": ["runner_system_failure"]}
    assert "include" not in full.config and "build" in full.config
    assert '"stages":["build","test","deploy"]' in full.to_json()
    assert full.to_json(pretty=True).startswith("{\n")


def test_jobs_iterate_index_and_look_up(full):
    names = ["lint", "build", "test", "deploy", "downstream"]
    assert [j.name for j in full] == names
    assert [j.name for j in full.jobs] == names
    assert len(full) == 5 and full.job(4).name == "downstream"
    with pytest.raises(IndexError):
        full.job(5)
    assert full["test"].name == "test" and "test" in full and "nope" not in full
    with pytest.raises(cicd.NotFoundError) as ei:
        full["nope"]
    assert isinstance(ei.value, LookupError)
    assert ei.value.message == "no job named nope"


def test_included_job_and_defaults(full):
    lint = full["lint"]
    assert (lint.file, lint.line, lint.column, lint.stage) == (BASE, 1, 1, ".pre")
    assert lint.before_script == ["echo default-before"] and lint.script == ["echo lint"]
    assert (lint.image, lint.tags, lint.interruptible) == ("alpine:3.20", ["kubernetes"], True)
    assert (lint.retry_max, lint.retry_when) == (2, ["runner_system_failure"])
    assert (lint.rules, lint.only, lint.except_, lint.needs, lint.dependencies) == (None, None, None, None, None)


def test_build_job_extends_scripts_parallel_matrix(full):
    b = full["build"]
    assert (b.file, b.line, b.column, b.stage, b.when, b.start_in) == (FULL, 42, 1, "build", "on_success", None)
    assert b.extends == [".base"]
    assert [(v.name, v.value) for v in b.variables] == [("FROM_BASE", "1")]
    assert b.script == ["make", "make install", "make check"]  # nested arrays flattened
    assert b.after_script == ["echo after"]
    assert (b.allow_failure, b.allow_failure_exit_codes) == (False, [3, 4])
    assert (b.timeout, b.coverage) == ("30m", "/Total: \\d+%/")
    assert b.parallel == 2
    assert b.parallel_matrix.to_python() == [{"ARCH": ["amd64", "arm64"], "OS": "linux"}]
    assert b.instances == [("build: [amd64, linux]", {"ARCH": "amd64", "OS": "linux"}),
                           ("build: [arm64, linux]", {"ARCH": "arm64", "OS": "linux"})]
    assert b.get("artifacts").to_python() == {"paths": ["out/"]}
    assert b.get("nope") is None
    assert b.config["stage"].text == "build"


def test_rules_needs_dependencies_inherit(full):
    t = full["test"]
    first, changes, delayed = t.rules
    assert (first.if_, first.when, first.allow_failure, first.start_in) == ('$CI_COMMIT_BRANCH == "main"', "manual",
                                                                            True, None)
    assert (first.if_node.line, first.if_node.column, first.node.line) == (77, 11, 77)
    assert [(v.name, v.value) for v in first.variables] == [("LEVEL", "full")]
    assert [n.job for n in first.needs] == ["build"]
    assert (first.changes, first.exists) == (None, None)
    assert (changes.if_, changes.changes, changes.changes_compare_to, changes.exists) == (
        None, ["src/**/*"], "refs/heads/main", ["Makefile"])
    assert (changes.exists_project, changes.exists_ref, changes.needs, changes.variables) == (None, None, None, [])
    assert (delayed.when, delayed.start_in, delayed.allow_failure) == ("delayed", "5 minutes", None)
    build, lint, pkg = t.needs
    assert (build.job, build.optional, build.artifacts, build.matrix.to_python(), build.node.line) == (
        "build", False, False, [{"ARCH": "amd64", "OS": "linux"}], 63)
    assert (lint.job, lint.optional, lint.artifacts, lint.matrix) == ("lint", True, True, None)
    assert (pkg.job, pkg.project, pkg.ref, pkg.pipeline, pkg.artifacts) == ("pkg", "group/other", "main", None, True)
    assert t.dependencies == ["build"]
    assert t.inherits_default("image") and not t.inherits_default("tags")
    assert not t.inherits_variable("GLOBAL")
    assert (t.image, t.tags, t.before_script, t.interruptible) == ("alpine:3.20", [], [], None)


def test_only_except_environment_trigger(full):
    d = full["deploy"]
    o, e = d.only, d.except_
    assert (o.is_default, o.refs, o.variables, o.changes, o.kubernetes) == (
        False, ["main", "/^release/"], ['$DEPLOY == "yes"'], ["deploy/*"], "active")
    assert [n.line for n in o.variable_nodes] == [103]
    assert (e.is_default, e.refs, e.variables, e.changes, e.kubernetes) == (False, ["tags"], [], None, None)
    assert (d.image, d.resource_group, d.environment, d.environment_action) == (
        "registry.example.com/deployer:1", "production", "production", "start")
    assert d.interruptible is False
    t = full["downstream"]
    assert t.is_trigger and (t.trigger_project, t.trigger_branch, t.trigger_strategy) == (
        "group/downstream", "main", "depend")
    assert [n for n, _ in t.instances] == ["downstream 1/2", "downstream 2/2"]
    assert full["build"].is_trigger is False and full["build"].trigger_project is None


def test_default_only_without_workflow_rules():
    with cicd.Pipeline.loads("a:\n  script: x\n  needs: []\n", "ci.yml") as p:
        only = p["a"].only
        assert only.is_default and only.refs == ["branches", "tags"]
        assert p["a"].needs == []
        assert p.workflow_rules is None and p.workflow_name is None and p.auto_cancel_on_new_commit is None
        assert p.name == "ci.yml" and p.files == ["ci.yml"]


def test_loads_takes_bytes_and_default_name():
    with cicd.Pipeline.loads(b"a:\n  script: x\n") as p:
        assert p.name == ".gitlab-ci.yml"


def test_validation_error_has_position_and_every_diagnostic():
    text = "stages: [build]\na:\n  stage: nope\n  script: x\nb:\n  script: 1\n"
    with pytest.raises(cicd.ValidationError) as ei:
        cicd.Pipeline.loads(text, "bad.yml")
    e = ei.value
    assert e.code == -10 and e.name == "CICD_EVALIDATE"
    assert (e.file, e.line, e.column) == ("bad.yml", 3, 10)
    assert e.message == "a job: chosen stage nope does not exist; available stages are .pre, build, .post"
    assert [(d.severity, d.file, d.line, d.column, d.message) for d in e.diagnostics] == [
        ("error", "bad.yml", 3, 10, e.message),
        ("error", "bad.yml", 5, 1, "b job: chosen stage test does not exist; available stages are .pre, build, .post"),
        ("error", "bad.yml", 6, 11,
         "jobs:b:script config should be a string or a nested array of strings up to 10 levels deep")]


def test_yaml_error_and_missing_file_and_limits():
    with pytest.raises(cicd.ValidationError) as ei:
        cicd.Pipeline.loads("a: [1\n", "y.yml")
    assert (ei.value.file, ei.value.line, ei.value.column) == ("y.yml", 2, 1)
    assert ei.value.message.startswith("did not find expected ',' or ']'")
    with pytest.raises(cicd.IOError_):
        cicd.Pipeline.load("/nonexistent/.gitlab-ci.yml")
    with pytest.raises(cicd.LimitError):
        cicd.Pipeline.load(FULL, max_file_bytes=100)


def test_strict_keys_turn_duplicate_warnings_into_errors():
    text = "a:\n  script: x\n  script: y\n"
    with cicd.Pipeline.loads(text, "d.yml") as p:
        [w] = p.warnings
        assert (w.severity, w.line, w.column) == ("warning", 3, 3)
    with pytest.raises(cicd.ValidationError):
        cicd.Pipeline.loads(text, "d.yml", strict_keys=True)


def test_resolver_supplies_includes_and_its_errors_propagate():
    calls = []

    def resolver(kind, location, project, ref, parent, depth):
        calls.append((kind, location, project, ref, parent, depth))
        if location == "https://h/missing.yml":
            return None
        if location == "boom.yml":
            raise KeyError("resolver bug")
        return ("inc:\n  script: from-" + kind + "\n", "remote:" + location)

    text = "include:\n  - project: group/lib\n    ref: v1\n    file: ci.yml\n  - remote: https://h/x.yml\n"
    with cicd.Pipeline.loads(text + "a:\n  script: x\n", "main.yml", resolver=resolver) as p:
        assert calls == [("project", "ci.yml", "group/lib", "v1", "main.yml", 1),
                         ("remote", "https://h/x.yml", None, None, "main.yml", 1)]
        assert p.files == ["main.yml", "remote:ci.yml", "remote:https://h/x.yml"]
        assert p["inc"].script == ["from-remote"]  # the later include wins
    with pytest.raises(cicd.ValidationError) as ei:
        cicd.Pipeline.loads("include:\n  - remote: https://h/missing.yml\na:\n  script: x\n", "m.yml",
                            resolver=resolver)
    assert (ei.value.line, ei.value.column) == (2, 13)
    assert ei.value.message == "Remote file `https://h/missing.yml` does not exist!"
    with pytest.raises(cicd.ValidationError) as ei:
        cicd.Pipeline.loads("include:\n  - remote: https://h/x.yml\na:\n  script: x\n", "m.yml")
    assert ei.value.message.endswith("cannot be included: no include resolver is configured")
    with pytest.raises(KeyError, match="resolver bug"):
        cicd.Pipeline.loads("include:\n  - remote: boom.yml\n", "m.yml", resolver=resolver)
    with pytest.raises(TypeError, match="include resolver"):
        cicd.Pipeline.loads("include:\n  - remote: x.yml\n", "m.yml", resolver=lambda *a: 42)


def test_local_includes_are_confined_to_the_project_root(tmp_path):
    (tmp_path / "ci.yml").write_text("include: ../outside.yml\na:\n  script: x\n")
    with pytest.raises(cicd.ValidationError) as ei:
        cicd.Pipeline.load(tmp_path / "ci.yml")
    assert ei.value.line == 1
    with cicd.Pipeline.load(FULL, project_root=DATA) as p:
        assert len(p.files) == 2


def test_example_pipeline_loads():
    with cicd.Pipeline.load(EXAMPLE) as p:
        assert p.stages[1:4] == ["static-check", "unit-test", "review"]
        assert p["code-review-design"].when == "manual"


def test_borrowed_objects_keep_the_pipeline_alive_and_fail_after_close():
    p = cicd.Pipeline.load(FULL)
    job = p["test"]
    rule = job.rules[0]
    need = job.needs[0]
    var = p.variables[0]
    node = job.config
    del p
    gc.collect()
    # Nothing was freed: borrowed objects hold their pipeline.
    assert (job.name, rule.when, need.job, var.name, node["stage"].text) == ("test", "manual", "build", "GLOBAL", "test")
    p2 = cicd.Pipeline.load(FULL)
    j2 = p2["build"]
    it = iter(p2)
    next(it)
    p2.close()
    p2.close()  # idempotent
    for use in (lambda: j2.name, lambda: j2.rules, lambda: p2.stages, lambda: len(p2), lambda: next(it),
                lambda: p2["build"]):
        with pytest.raises(ValueError, match="pipeline is closed"):
            use()
    assert repr(p2) == "<cicd.Pipeline closed>"
