"""manifest: ManifestSet (load, add, add_path, find, validate, sort, transforms, render, hash,
diff), Manifest (every accessor), ManifestDiff; errors with positions; ownership."""
import gc
import json
import os

import pytest

import cicd

WEB = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "deploy", "web")
IMAGE = "registry.example.com/web/frontend"


@pytest.fixture
def v2():
    with cicd.ManifestSet.load(os.path.join(WEB, "v2")) as s:
        yield s


def test_load_iterate_and_accessors(v2):
    assert len(v2) == 7
    assert [(m.kind, m.namespace, m.name) for m in v2][:3] == [
        ("Namespace", "", "web"), ("Secret", "web", "web-credentials"), ("Deployment", "web", "web")]
    hpa = v2[5]
    assert (hpa.api_version, hpa.group, hpa.version, hpa.kind, hpa.name, hpa.generate_name) == (
        "autoscaling/v2", "autoscaling", "v2", "HorizontalPodAutoscaler", "web", "")
    assert (os.path.basename(hpa.file), hpa.document_index, hpa.line) == ("20-app.yaml", 3, 72)
    assert v2[-1].kind == "Ingress" and v2[0].scope == "cluster" and hpa.scope == "namespaced"
    with pytest.raises(IndexError):
        v2[7]
    d = v2.find("Deployment", "web", group="apps", namespace="web")
    assert d.labels.to_python() == {"app.kubernetes.io/name": "web", "app.kubernetes.io/version": "1.1.0"}
    assert d.label("app.kubernetes.io/version") == "1.1.0" and d.label("nope") is None
    assert d.annotations is None and d.annotation("x") is None
    assert d.node["spec"]["template"]["spec"]["containers"][0]["image"].text == IMAGE + ":1.1.0"
    assert len(d.hash) == 64 and d.hash == v2.find("Deployment", "web", group="apps", namespace="web").hash
    assert json.loads(d.canonical)["kind"] == "Deployment"
    assert d.render().startswith("apiVersion: apps/v1\nkind: Deployment\n")
    assert json.loads(d.render("json"))["metadata"]["name"] == "web"
    assert d.render("json", pretty=True).startswith("{\n  ")
    assert repr(d) == "<cicd.Manifest Deployment web/web>"
    with pytest.raises(cicd.NotFoundError) as ei:
        v2.find("Deployment", "nope")
    assert ei.value.message == "no Deployment nope in the set"


def test_validate_sort_hash_render(v2):
    assert v2.validate() == []
    before = v2.hash
    assert len(before) == 64
    v2.sort("delete")
    assert [m.kind for m in v2][:2] == ["Ingress", "HorizontalPodAutoscaler"]
    v2.sort("apply")
    assert [m.kind for m in v2] == ["Namespace", "Secret", "Service", "Service", "Deployment",
                                    "HorizontalPodAutoscaler", "Ingress"]
    v2.sort("source")
    assert v2[2].kind == "Deployment"
    assert v2.hash == before  # order does not change the content hash
    text = v2.render()
    assert text.startswith("apiVersion: v1\nkind: Namespace\n") and text.count("\n---\n") == 6
    with pytest.raises(ValueError):
        v2.sort("random")
    with pytest.raises(ValueError):
        v2.render("xml")


def test_transforms_are_copy_on_write(v2):
    d = v2.find("Deployment", "web", group="apps", namespace="web")
    old_tree = d.node
    assert v2.set_image(IMAGE, new_tag="2.0.1") == 1 and v2.set_image("nope") == 0
    assert v2.set_image(IMAGE, new_name="mirror/web", digest="sha256:" + "a" * 64) == 1
    v2.set_label("team", "platform", templates=True)
    v2.set_annotation("owner", "ci")
    v2.set_namespace("staging")
    image = d.node["spec"]["template"]["spec"]["containers"][0]["image"].text
    assert image == "mirror/web@sha256:" + "a" * 64
    assert d.label("team") == "platform" and d.annotation("owner") == "ci" and d.namespace == "staging"
    assert d.node["spec"]["template"]["metadata"]["labels"]["team"].text == "platform"
    assert old_tree["spec"]["template"]["spec"]["containers"][0]["image"].text == IMAGE + ":1.1.0"
    with pytest.raises(cicd.InvalidArgumentError) as ei:
        v2.set_namespace("Bad_NS")
    assert ei.value.message.startswith('namespace "Bad_NS": a lowercase RFC 1123 label')


def test_diff_entries_fields_and_render():
    with cicd.ManifestSet.load(os.path.join(WEB, "v1")) as old, \
            cicd.ManifestSet.load(os.path.join(WEB, "v2")) as new, old.diff(new) as diff:
        entries = list(diff)
        assert len(diff) == len(entries) and diff[0] == entries[0]
        changes = {(e.change, (e.new or e.old).kind, (e.new or e.old).name) for e in entries}
        assert ("added", "Service", "web-metrics") in changes and ("removed", "ConfigMap", "web-config") in changes
        dep = next(e for e in entries if e.new is not None and e.new.kind == "Deployment")
        assert dep.change == "changed" and dep.old.kind == "Deployment"
        assert cicd.FieldChange('metadata.labels["app.kubernetes.io/version"]', '"1.0.0"', '"1.1.0"', False,
                                "changed") in dep.fields
        secret = next(e for e in entries if e.new is not None and e.new.kind == "Secret")
        hidden = [f for f in secret.fields if f.hidden]
        assert hidden and all(f.old is None and f.new is None for f in hidden)  # secret values never shown
        added = next(e for e in entries if e.change == "added")
        assert added.old is None and added.fields == []
        with pytest.raises(IndexError):
            diff[len(entries)]
        text = diff.render()
        assert "+ Service web/web-metrics" in text or "web-metrics" in text
        assert "DATABASE_PASSWORD" in text and "secret value" in text
        doc = json.loads(diff.render("json"))
        assert {"added", "removed", "changed"} <= set(doc)


def test_add_errors_and_validation_errors(tmp_path):
    s = cicd.ManifestSet()
    with pytest.raises(cicd.ParseError) as ei:
        s.add("a: [1\n", "bad.yaml")
    assert (ei.value.file, ei.value.line, ei.value.column) == ("bad.yaml", 2, 1)
    assert len(s) == 0  # unchanged on failure
    s.add("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n- 1\n", "two.yaml")
    s.add(b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}', "j.json", format="json")
    with pytest.raises(cicd.ValidationError) as ei:
        s.validate()
    assert (ei.value.message, ei.value.file, ei.value.line, ei.value.column) == (
        "document is not a mapping", "two.yaml", 5, 1)
    assert [(d.severity, d.line) for d in ei.value.diagnostics] == [("error", 5)]
    with pytest.raises(cicd.IOError_) as ei:
        cicd.ManifestSet.load("/nonexistent")
    assert ei.value.message == "no such file or directory"
    with pytest.raises(cicd.LimitError):
        cicd.ManifestSet().add("a: 1\n---\nb: 2\n---\nc: 3\n", max_objects=2)
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (nested / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\n")
    with cicd.ManifestSet() as deep:
        deep.add_path(tmp_path)
        assert len(deep) == 0
        deep.add_path(tmp_path, recursive=True)
        assert [m.name for m in deep] == ["deep"]


def test_ownership():
    s = cicd.ManifestSet.load(os.path.join(WEB, "v1"))
    m = s[0]
    node = m.node
    del s
    gc.collect()
    assert m.kind == "Namespace" and node["kind"].text == "Namespace"  # they hold the set
    old = cicd.ManifestSet.load(os.path.join(WEB, "v1"))
    new = cicd.ManifestSet.load(os.path.join(WEB, "v2"))
    diff = old.diff(new)
    entry = diff[0]
    old.close()
    old.close()
    for use in (lambda: len(diff), lambda: old.hash, lambda: len(old)):
        with pytest.raises(ValueError, match="manifest set is closed"):
            use()
    assert entry.change in ("added", "changed", "removed")  # plain values stay
    diff.close()
    diff.close()
    with pytest.raises(ValueError, match="diff is closed"):
        diff.render()
    n0 = new[0]
    new.close()
    with pytest.raises(ValueError, match="manifest set is closed"):
        n0.name
