"""kaniko: render_kaniko against the C library's golden renderings, JSON output with the base64
docker config, refused specs with the C messages, and passwords that appear only base64-encoded."""
import base64
import json
import os

import pytest

import cicd

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "unit", "pod", "data")
CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def full(**over):
    spec = dict(
        context="git://gitlab.example.com/acme/shop.git#refs/heads/dev",
        destinations=["registry.example.com/acme/shop:1.2.3", "registry.example.com/acme/shop:latest"],
        name="shop-build", namespace="ci", as_job=True, cache=True, reproducible=True,
        build_args={"VERSION": "1.2.3"}, target="runtime", cache_repo="registry.example.com/acme/shop/cache",
        snapshot_mode="redo", ca_bundle=CA,
        credentials=[cicd.RegistryCredential("registry.example.com", "ci", "s3cr3t")],
        cpu_request="1", cpu_limit="1", memory_request="2Gi", memory_limit="2Gi", active_deadline_seconds=3600)
    spec.update(over)
    return spec


def golden(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return f.read()


def test_job_matches_golden():
    assert cicd.render_kaniko(**full()) == golden("golden_kaniko_job.yaml")


def test_pod_matches_golden():
    out = cicd.render_kaniko("dir:///workspace", no_push=True, context_claim="src")
    assert out == golden("golden_kaniko_pod.yaml")
    assert cicd.DEFAULT_KANIKO_IMAGE in out


def test_json_list_has_base64_docker_config_and_no_plain_password():
    out = cicd.render_kaniko(**full(format="json"))
    items = json.loads(out)["items"]
    assert [i["kind"] for i in items] == ["Secret", "ConfigMap", "Job"]
    config = json.loads(base64.b64decode(items[0]["data"][".dockerconfigjson"]))
    assert config == {"auths": {"registry.example.com": {
        "username": "ci", "password": "s3cr3t", "auth": base64.b64encode(b"ci:s3cr3t").decode()}}}
    assert "s3cr3t" not in out


@pytest.mark.parametrize("over,message", [
    (dict(destinations=[]), "kaniko build: at least one destination is required (or no-push)"),
    (dict(build_args=["NOEQUALS"]), "kaniko build: build argument 1 is not KEY=VALUE"),
    (dict(snapshot_mode="fast"), 'kaniko build: snapshot mode "fast" is not full, redo or time'),
    (dict(cache=False), "kaniko build: a cache repository needs the cache turned on"),
    (dict(name="Shop_Build"), "kaniko build: name must be a DNS-1123 label of at most 40 characters"),
    (dict(memory_limit="2GB"), 'kaniko build: memory limit "2GB" is not a Kubernetes quantity'),
    (dict(context=""), "kaniko build: a context is required"),
    (dict(namespace="CI"), "kaniko build: namespace must be a DNS-1123 label"),
    (dict(credentials=[("", "ci", "s3cr3t")]),
     "kaniko build: credential 1 needs a registry, a user name and a password"),
])
def test_invalid_specs_raise_validation_errors(over, message):
    with pytest.raises(cicd.ValidationError) as e:
        cicd.render_kaniko(**full(**over))
    assert e.value.message == message
    assert e.value.name == "CICD_EVALIDATE"


def test_refused_spec_never_shows_the_password():
    with pytest.raises(cicd.ValidationError) as e:
        cicd.render_kaniko(**full(memory_limit="2GB", credentials=[("registry.example.com", "ci", "hunter2-pw")]))
    assert "hunter2-pw" not in str(e.value) and "hunter2-pw" not in repr(e.value)


def test_python_side_argument_errors():
    with pytest.raises(ValueError, match="format must be yaml or json"):
        cicd.render_kaniko("dir:///w", no_push=True, format="toml")
    with pytest.raises(ValueError, match=r"\(registry, username, password\)"):
        cicd.render_kaniko("dir:///w", ["r/x:1"], credentials=[("r", "u")])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="embedded NUL"):
        cicd.render_kaniko("dir:///w", ["r/x:1\0evil"])
