"""The small parts every object has: repr, equality and hashing, names and tags. Each call here
is asserted on what it gives, so a binding of these can't silently break."""
import logging

import pytest

import cicd

CI = """variables:
  IMAGE: app
build:
  stage: build
  script: [make]
  variables: {TAG: v1}
  rules:
    - if: $CI_COMMIT_BRANCH == "dev"
      when: manual
test:
  stage: test
  script: !reference [build, script]
  needs: [build]
"""


def test_documents_and_nodes():
    with cicd.Document.load("a: !custom {x: 1, y: [2]}\nb: plain\n", "doc.yml") as doc:
        assert doc.name == "doc.yml"
        a = doc.root()["a"]
        assert (a.tag, doc.root()["b"].tag) == ("!custom", "")
        assert [(k.text, v.kind) for k, v in a.items()] == [("x", "scalar"), ("y", "sequence")]
        assert list(doc.root()["b"].items()) == []  # a scalar has no pairs
        assert repr(a) == "<cicd.Node mapping at doc.yml:1:4>"


def test_diagnostics_compare_and_print_like_a_compiler():
    with pytest.raises(cicd.ValidationError) as e:
        cicd.Pipeline.loads("job:\n  script: [x]\n  when: sometimes\n", "ci.yml")
    first = e.value.diagnostics[0]
    again = cicd.Diagnostic(first.severity, first.code, first.message, first.file, first.line, first.column)
    assert first == again and first != "not a diagnostic"
    assert repr(first) == f"ci.yml:3:9: error: {first.message}"


def test_pipeline_objects_say_what_they_are():
    with cicd.Pipeline.loads(CI, "ci.yml") as p:
        build, test = p.jobs
        assert repr(build) == "<cicd.Job build (build)>"
        assert repr(build.variables[0]) == "<cicd.Variable TAG='v1'>"
        assert repr(build.rules[0]) == "<cicd.Rule if='$CI_COMMIT_BRANCH == \"dev\"' when='manual'>"
        assert repr(test.needs[0]) == "<cicd.Need build>"
        trigger = cicd.Trigger.branch("dev")
        assert repr(trigger) == "<cicd.Trigger branch dev>"
        plan = cicd.plan(p, trigger)
        assert [repr(j) for j in plan.jobs] == ["<cicd.PlanJob build (build, manual)>",
                                                "<cicd.PlanJob test (test, on_success)>"]


def test_manifests_hash_as_they_compare():
    with cicd.ManifestSet() as s:
        s.add("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n", "m.yml")
        a, b = s[0], s[1]
        assert a == s[0] and hash(a) == hash(s[0])
        assert a != b and len({a, s[0], b}) == 2


def test_policy_results_and_log_handlers_print_usefully():
    with cicd.Policy.loads("branches:\n  feature: {pattern: '^feature/.+$'}\n") as policy:
        assert repr(policy.check_push("feature/x")) == "<cicd.PolicyResult allowed=True violations=[]>"
        denied = policy.check_push("random")
        assert repr(denied) == f"<cicd.PolicyResult allowed=False violations={[v.rule for v in denied.violations]}>"
        assert denied.violations
    cicd.log_to(logging.getLogger("cicd.test"))
    try:
        assert repr(cicd.log_handler()) == "<cicd log handler to <Logger cicd.test (WARNING)>>"
    finally:
        cicd.set_log_handler(None)
