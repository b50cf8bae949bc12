"""pod: JobPayload (load, loads, every accessor, masker, failure_reason), RunnerConfig (load, loads,
warnings), render_pod, render_script, find_exit_code, pod_failure_reason; errors; ownership."""
import gc
import json
import os

import pytest

import cicd

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "unit", "pod", "data")


@pytest.fixture(scope="module")
def job():
    with cicd.JobPayload.load(os.path.join(DATA, "job_basic.json")) as j:
        yield j


@pytest.fixture(scope="module")
def config():
    with cicd.RunnerConfig.load(os.path.join(DATA, "runner_basic.yml")) as c:
        yield c


def test_payload_accessors(job):
    assert (job.id, job.project_id, job.timeout, job.name, job.stage, job.image) == (
        4242, 17, 3600, "test:unit", "test", "node:20-alpine")
    assert job.services == [("postgres:16", "db"), ("registry.example.com/tools/redis:7", "")]
    assert job.steps == ["script", "after_script"] and job.unknown_keys == ["a_future_field"]
    api = next(v for v in job.variables if v.key == "API_KEY")
    assert api == cicd.PayloadVariable("API_KEY", b"sup3r-s3cret-key", False, True, False, False)
    kc = next(v for v in job.variables if v.key == "KUBECONFIG_FILE")
    assert kc.file and kc.public
    assert job.raw["id"].text == "4242" and "a_future_field" in job.raw
    minimal = cicd.JobPayload.load(os.path.join(DATA, "job_minimal.json"))
    assert minimal.image == "" and minimal.services == []


def test_masker_and_failure_reasons(job):
    with job.masker() as m:
        out = b"".join(m.mask([b"key sup3r-s3cret-key token glcbt-64_JobTokenSecretValue1 private not-masked\n"]))
    assert out == b"key [MASKED] token [MASKED] private not-masked\n"
    assert [job.failure_reason(r) for r in (None, "", "image_pull_failure", "runner_configuration_error",
                                            "job_execution_timeout", "bogus")] == [
        "script_failure", "script_failure", "runner_system_failure", "script_failure", "job_execution_timeout",
        "unknown_failure"]


def test_render_pod_matches_the_golden_and_formats(job, config):
    with open(os.path.join(DATA, "golden_basic.yaml")) as f:
        assert cicd.render_pod(job, config) == f.read()
    doc = json.loads(cicd.render_pod(job, config, format="json"))
    assert doc["kind"] == "List" and [i["kind"] for i in doc["items"]][-1] == "Pod"
    assert "sup3r-s3cret-key" not in json.dumps(doc["items"][-1])  # secrets stay out of the Pod
    named = json.loads(cicd.render_pod(job, config, format="json", slot=3, name_suffix="x9"))
    assert named["items"][-1]["metadata"]["name"].endswith("x9")
    with pytest.raises(cicd.InvalidArgumentError) as ei:
        cicd.render_pod(job, config, name_suffix="Bad!")
    assert ei.value.message == "name_suffix must be 1 to 8 characters of [a-z0-9]"
    with pytest.raises(ValueError):
        cicd.render_pod(job, config, format="toml")


def test_scripts_and_exit_markers(job, config):
    bash = cicd.render_script(job, config, "script", nonce="N0nce")
    sh = cicd.render_script(job, config, "script", shell="sh", nonce="N0nce")
    assert "::cicd-exit::" in bash and "N0nce" in bash and bash != sh
    assert 'test "$API_KEY" = sup3r-s3cret-key' in bash
    with pytest.raises(cicd.NotFoundError) as ei:
        cicd.render_script(job, config, "nope")
    assert ei.value.message == 'the job has no step "nope"'
    with pytest.raises(cicd.InvalidArgumentError) as ei:
        cicd.render_script(job, config, "script", nonce="not ok")
    assert ei.value.message == "the marker nonce must be 1 to 64 characters of [A-Za-z0-9]"
    log = "out\n::cicd-exit::N0nce::script::1\nmore\n::cicd-exit::N0nce::script::3\n"
    assert cicd.find_exit_code(log, "N0nce", "script") == 3
    assert cicd.find_exit_code(log.encode(), "N0nce", "after_script") is None
    assert cicd.find_exit_code("x", "N0nce", "script") is None


def test_pod_failure_reasons():
    failed = {"kind": "Pod", "metadata": {"name": "p"}, "status": {"phase": "Failed", "containerStatuses": [
        {"name": "build", "image": "x", "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}}
    assert cicd.pod_failure_reason(json.dumps(failed), "pod.json") == (
        "runner_system_failure", "the Pod failed: no reason given")
    assert cicd.pod_failure_reason('{"kind": "Pod", "status": {"phase": "Running"}}') is None
    with pytest.raises(cicd.ParseError) as ei:
        cicd.pod_failure_reason('{"status": ', "pod.json")
    assert (ei.value.message, ei.value.file) == ("parse error: premature EOF", "pod.json")


def test_load_errors_with_positions():
    with pytest.raises(cicd.ParseError) as ei:
        cicd.JobPayload.loads('{"id": "x"}', "j.json")
    assert (ei.value.message, ei.value.file, ei.value.line, ei.value.column) == (
        'job payload: "id" must be an integer', "j.json", 1, 8)
    many = {"id": 1, "variables": [{"key": k, "value": "v"} for k in "abc"]}
    with pytest.raises(cicd.LimitError) as ei:
        cicd.JobPayload.loads(json.dumps(many), "j.json", max_variables=2)
    assert ei.value.message == "job payload: 3 variables, more than the limit of 2"
    with pytest.raises(TypeError):
        cicd.JobPayload.loads("{}", max_cats=1)
    with pytest.raises(cicd.IOError_):
        cicd.JobPayload.load("/nonexistent.json")
    with pytest.raises(cicd.ParseError) as ei:
        cicd.RunnerConfig.loads("kubernetes:\n  cpu_limit: [1]\n", "r.yml")
    assert (ei.value.message, ei.value.line, ei.value.column) == ('runner config: "cpu_limit" must be a string', 2, 14)
    [w] = cicd.RunnerConfig.loads("kubernetes:\n  namespace: ci\n  nope: 1\n", "r.yml").warnings
    assert (w.severity, w.message, w.line, w.column) == ("warning", 'unknown key "nope" in kubernetes is ignored', 3, 3)
    with pytest.raises(cicd.IOError_):
        cicd.RunnerConfig.load("/nonexistent.yml")


def test_ownership():
    j = cicd.JobPayload.load(os.path.join(DATA, "job_basic.json"))
    raw = j.raw
    m = j.masker()
    del j
    gc.collect()
    assert raw["id"].text == "4242"  # the node holds its payload
    assert b"".join(m.mask([b"sup3r-s3cret-key"])) == b"[MASKED]"  # the masker copied what it needs
    j2 = cicd.JobPayload.load(os.path.join(DATA, "job_basic.json"))
    c2 = cicd.RunnerConfig.load(os.path.join(DATA, "runner_basic.yml"))
    n2 = j2.raw
    j2.close()
    j2.close()
    c2.close()
    c2.close()
    for use in (lambda: j2.name, lambda: n2.text, lambda: j2.masker()):
        with pytest.raises(ValueError, match="job payload is closed"):
            use()
    with pytest.raises(ValueError, match="runner configuration is closed"):
        c2.warnings
