"""policy: Policy (load, loads, check_push, check_merge_request, check_tag, tag_version),
PolicyResult, commit_bump, next_version; errors with positions; ownership."""
import json
import os

import pytest

import cicd

POLICY = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "policy", "policy.yml")


@pytest.fixture(scope="module")
def policy():
    with cicd.Policy.load(POLICY) as p:
        yield p


def test_push_checks(policy):
    ok = policy.check_push("feature/80-optimize-allocate")
    assert ok and ok.allowed and ok.kind == "feature" and ok.violations == []
    assert ok.captures == {"issue": "80", "slug": "optimize-allocate"}
    assert json.loads(ok.to_json()) == {"event": "push", "allowed": True, "kind": "feature", "violations": [],
                                        "captures": {"issue": "80", "slug": "optimize-allocate"}}
    master = policy.check_push("master")
    assert not master and master.kind == "master"
    assert master.violations == [cicd.Violation(
        "protected-branch", "branch 'master' is protected: changes reach it by merge request, not by a direct push")]
    bad = policy.check_push("Bad_Branch")
    assert bad.kind == "" and [v.rule for v in bad.violations] == ["branch-name"]
    assert bad.violations[0].message.startswith("branch 'Bad_Branch' matches no branch kind of the policy")


def test_merge_request_and_tag_checks(policy):
    r = policy.check_merge_request("feature/1-x", "master")
    assert not r.allowed and r.captures == {"source.issue": "1", "source.slug": "x"}
    assert r.violations == [("merge-flow", "merge requests from feature into master are not allowed "
                                           "(feature merges into: dev)")]
    assert policy.check_merge_request("feature/1-x", "dev").allowed
    t = policy.check_tag("v1.4.0", "master", ["v1.3.0", "v1.5.0"])
    assert t.captures == {"major": "1", "minor": "4", "patch": "0"}
    assert t.violations == [("tag-order", "release tag 'v1.4.0' is not greater than the existing release tag 'v1.5.0'")]
    t2 = policy.check_tag("v1.6.0", "dev", ("v1.5.0",))
    assert [v.rule for v in t2.violations] == ["tag-branch"]
    assert policy.check_tag("v1.6.0", "master", iter(["v1.5.0"])).allowed
    assert str(policy.tag_version("v1.4.0")) == "1.4.0" and policy.tag_version("nope") is None
    with pytest.raises(ValueError):
        policy.check_tag("v1.6.0", "master", ["a\0b"])


def test_load_errors_have_positions():
    with pytest.raises(cicd.UnsupportedError) as ei:
        cicd.Policy.loads("version: 2\n", "p.yml")
    assert (ei.value.message, ei.value.file, ei.value.line, ei.value.column) == (
        "policy version 2 is not supported (this is 1)", "p.yml", 1, 10)
    with pytest.raises(cicd.ValidationError) as ei:
        cicd.Policy.loads("version: 1\nbranches:\n  x:\n    pattern: '('\n", "p.yml")
    assert (ei.value.message, ei.value.line, ei.value.column) == ("invalid pattern '(': missing ): (", 4, 14)
    with pytest.raises(cicd.ParseError) as ei:
        cicd.Policy.loads(b"version: 1\nbranches: [\n", "p.yml")
    assert (ei.value.line, ei.value.column) == (3, 1)
    with pytest.raises(cicd.IOError_) as ei:
        cicd.Policy.load("/nonexistent.yml")
    assert ei.value.message == "cannot read '/nonexistent.yml': no such file or directory"
    with pytest.raises(cicd.LimitError):
        cicd.Policy.load(POLICY, max_bytes=10)


def test_commit_bump_and_next_version():
    assert [cicd.commit_bump(m) for m in ("fix: x", "feat: y", "feat!: z", "chore: a", b"fix(core): b")] == [
        "patch", "minor", "major", None, "patch"]
    assert cicd.next_version("1.2.3", ["fix: a", "feat: b"]) == (cicd.Version("1.3.0"), "minor")
    assert cicd.next_version(cicd.Version("0.2.3"), ["feat!: a"]) == ("0.3.0", "minor")  # 0.x rules
    v, bump = cicd.next_version("1.2.3", ["fix: a", "chore: b"], pre_id="dev")
    assert (str(v), bump) == ("1.2.4-dev.2", "patch")
    assert str(cicd.next_version("1.2.3", ["fix: a"], pre_id="dev", pre_number=7)[0]) == "1.2.4-dev.7"
    assert cicd.next_version("1.2.3", []) == ("1.2.3", None)
    with pytest.raises(cicd.InvalidArgumentError) as ei:
        cicd.next_version("1.2.3", ["fix: a"], pre_id="bad id")
    assert ei.value.message == 'invalid pre-release identifier "bad id"'
    with pytest.raises(ValueError):
        cicd.next_version("1.2.3", [], pre_number=-1)


def test_results_outlive_the_policy_and_close():
    p = cicd.Policy.load(POLICY)
    r = p.check_push("dev")
    v = p.tag_version("v2.0.0")
    p.close()
    p.close()
    assert r.kind == "dev" and not r.allowed and str(v) == "2.0.0"  # copies and owned versions
    with pytest.raises(ValueError, match="policy is closed"):
        p.check_push("dev")
    with pytest.raises(ValueError, match="policy is closed"):
        p.tag_version("v1.0.0")


def test_release_tag_is_the_reverse_of_tag_version(policy):
    assert policy.release_tag("1.4.0") == "v1.4.0"
    assert policy.release_tag(cicd.Version("2.0.1+build.7")) == "v2.0.1"
    assert str(policy.tag_version(policy.release_tag("1.4.0"))) == "1.4.0"
    with pytest.raises(cicd.InvalidArgumentError) as e:
        policy.release_tag("1.5.0-rc.1")
    assert e.value.message == "version 1.5.0-rc.1 does not fit the release tag pattern v{major}.{minor}.{patch}"
    with pytest.raises(cicd.ParseError):
        policy.release_tag("not a version")
    pre = cicd.Policy.loads("version: 1\nbranches:\n  main: {pattern: main, release: true}\n"
                            "tags:\n  release: 'release-{major}.{minor}.{patch}-{prerelease}'\n", "p.yml")
    with pre:
        assert pre.release_tag("2.0.0-beta.3") == "release-2.0.0-beta.3"
        with pytest.raises(cicd.InvalidArgumentError):
            pre.release_tag("2.0.0")
    with pytest.raises(ValueError, match="policy is closed"):
        pre.release_tag("2.0.0-beta.3")
