"""kube against a real API server (scripts/k8s-testenv): resolve, apply (created, unchanged,
configured, dry runs, conflicts), create/get/list/delete, apply sets with a CRD and its resource,
manifest sets, watches, logs (kwok serves $CICD_K8S_KWOK_LOGS/py.log for namespace cicd-py-logs),
rollout waits, cancellation from another thread, Ctrl-C, and object ownership.

Skipped without a plane unless CICD_REQUIRE_PLANE=1 (see conftest.py). Names carry this run's
process id, so the tests can run again on the same plane."""
import gc
import os
import signal
import threading
import time
import weakref

import pytest

import cicd

RUN = str(os.getpid())


def client(kubeconfig: str, **options) -> cicd.KubeClient:
    with cicd.KubeConfig.load(kubeconfig, in_cluster=False) as cfg:
        return cicd.KubeClient(cfg, **options)


@pytest.fixture
def kube(plane):
    with client(plane) as c:
        yield c


def namespace(kube, name: str) -> str:
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    return name


def configmap(name: str, ns: str, **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": data}


def later(seconds: float, fn) -> threading.Timer:
    """Calls fn in another thread after a while; since(timer) is the time from that call on."""
    def run():
        t.fired_at = time.monotonic()  # type: ignore[attr-defined]
        fn()

    t = threading.Timer(seconds, run)
    t.start()
    return t


def since(timer: threading.Timer) -> float:
    timer.join()
    return time.monotonic() - timer.fired_at  # type: ignore[attr-defined]


def test_resolve_through_discovery(kube):
    assert kube.resolve("deploy") == ("apps/v1", "Deployment", True)
    assert kube.resolve("deployments.apps") == ("apps/v1", "Deployment", True)
    assert kube.resolve("ns") == ("v1", "Namespace", False)
    with pytest.raises(cicd.NotFoundError) as e:
        kube.resolve("nope")
    assert e.value.message == 'the server doesn\'t have a resource type "nope"'


def test_apply_created_unchanged_configured_and_conflicts(kube):
    ns = namespace(kube, f"cicd-py-apply-{RUN}")
    cm = configmap("conf", ns, a="1")
    action, obj = kube.apply(cm)
    assert (action, obj["data"], obj["metadata"]["managedFields"][0]["manager"]) == ("created", {"a": "1"}, "cicd")
    assert kube.apply(cm)[0] == "unchanged"
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: conf, namespace: {ns}}}\ndata: {{a: '1'}}\n"
    assert kube.apply(text)[0] == "unchanged"
    with cicd.Document.load(text, "cm.yaml") as doc:
        assert kube.apply(doc.root())[0] == "unchanged"
    # a dry run of a change says configured and stores nothing
    cm["data"]["a"] = "2"
    assert kube.apply(cm, dry_run=True)[0] == "configured"
    assert kube.get("v1", "ConfigMap", "conf", ns)["data"] == {"a": "1"}
    action, obj = kube.apply(cm)
    assert (action, obj["data"]) == ("configured", {"a": "2"})
    assert kube.get("v1", "ConfigMap", "conf", ns)["data"] == {"a": "2"}
    # another manager's change conflicts, naming the field and its manager, unless forced
    cm["data"]["a"] = "3"
    with pytest.raises(cicd.ConflictError) as e:
        kube.apply(cm, field_manager="other")
    assert e.value.message == f'ConfigMap {ns}/conf: conflict: .data.a is managed by "cicd"'
    assert kube.apply(cm, field_manager="other", force=True)[0] == "configured"
    # the namespace option places objects that name none
    action, obj = kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "placed"}},
                             namespace=ns)
    assert (action, obj["metadata"]["namespace"]) == ("created", ns)


def test_create_get_list_delete(kube):
    ns = namespace(kube, f"cicd-py-list-{RUN}")
    for i in range(5):
        obj = {"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": f"item-{i}", "namespace": ns, "labels": {"cicd-py": RUN, "odd": str(i % 2)}}}
        created = kube.create(obj) if i % 2 else kube.create(cicd.Document.load_json(
            __import__("json").dumps(obj)).root().to_json())
        assert created["metadata"]["name"] == f"item-{i}" and created["metadata"]["uid"]
    with pytest.raises(cicd.ExistsError) as e:
        kube.create(configmap("item-0", ns))
    assert e.value.message == f'ConfigMap {ns}/item-0: configmaps "item-0" already exists'
    got = kube.get("v1", "ConfigMap", "item-3", ns)
    assert got["metadata"]["labels"] == {"cicd-py": RUN, "odd": "1"}
    # one item per page: every item still comes, with the list's resourceVersion
    items = kube.list("v1", "ConfigMap", ns, label_selector=f"cicd-py={RUN}", page_size=1)
    assert isinstance(items, cicd.KubeList) and isinstance(items, list)
    assert [o["metadata"]["name"] for o in items] == [f"item-{i}" for i in range(5)]
    assert items.resource_version.isdigit()
    odd = kube.list("v1", "ConfigMap", ns, label_selector=f"cicd-py={RUN},odd=1")
    assert [o["metadata"]["name"] for o in odd] == ["item-1", "item-3"]
    one = kube.list("v1", "ConfigMap", ns, field_selector="metadata.name=item-2")
    assert [o["metadata"]["name"] for o in one] == ["item-2"]
    everywhere = kube.list("v1", "ConfigMap", label_selector=f"cicd-py={RUN}", all_namespaces=True)
    assert len(everywhere) == 5
    assert kube.list("v1", "ConfigMap", label_selector=f"cicd-py={RUN}") == []  # the client's namespace: default
    # a dry run deletes nothing; then deleted, the object is gone
    kube.delete("v1", "ConfigMap", "item-0", ns, dry_run=True)
    assert kube.get("v1", "ConfigMap", "item-0", ns)["metadata"]["name"] == "item-0"
    kube.delete("v1", "ConfigMap", "item-0", ns, propagation="background", grace_period_seconds=0)
    with pytest.raises(cicd.NotFoundError) as e:
        kube.get("v1", "ConfigMap", "item-0", ns)
    assert e.value.message == f'ConfigMap {ns}/item-0: configmaps "item-0" not found'
    with pytest.raises(cicd.NotFoundError) as e:
        kube.delete("v1", "ConfigMap", "item-0", ns)
    assert e.value.message == f'ConfigMap {ns}/item-0: configmaps "item-0" not found'
    for propagation in ("foreground", "orphan"):
        kube.delete("v1", "ConfigMap", f"item-{1 if propagation == 'foreground' else 2}", ns, propagation=propagation)
    # their finalizers go once the garbage collector has seen them
    deadline = time.monotonic() + 30
    while len(kube.list("v1", "ConfigMap", ns, label_selector=f"cicd-py={RUN}")) != 2:
        assert time.monotonic() < deadline, "foreground and orphan deletes did not finish"
        time.sleep(0.2)
    with pytest.raises(cicd.NotFoundError) as e:
        kube.get("v1", "NoSuchKind", "x")
    assert e.value.message == "the server has no kind NoSuchKind in v1"


def crd_set(ns: str, group: str) -> str:
    # the custom resource comes first: the set still creates the namespace and the CRD before it
    return (f"apiVersion: {group}/v1\nkind: Widget\nmetadata: {{name: w1, namespace: {ns}}}\nspec: {{size: 3}}\n---\n"
            f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n"
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
            f"metadata: {{name: widgets.{group}}}\n"
            f"spec:\n  group: {group}\n  scope: Namespaced\n"
            "  names: {plural: widgets, singular: widget, kind: Widget}\n"
            "  versions:\n  - name: v1\n    served: true\n    storage: true\n"
            "    schema:\n      openAPIV3Schema:\n        type: object\n"
            "        x-kubernetes-preserve-unknown-fields: true\n")


def test_apply_set_with_a_crd_and_its_custom_resource(kube):
    ns, group = f"cicd-py-crd-{RUN}", f"p{RUN}.cicd-py.example.com"
    seen = []
    results = kube.apply_set(crd_set(ns, group), on_result=seen.append)
    assert seen == results
    assert [(r.kind, r.namespace, r.name, r.action, r.error, r.file, r.line) for r in results] == [
        ("Namespace", "", ns, "created", None, "documents[0]", 6),
        ("CustomResourceDefinition", "", f"widgets.{group}", "created", None, "documents[0]", 10),
        ("Widget", ns, "w1", "created", None, "documents[0]", 1)]
    assert kube.resolve(f"Widget.{group}") == (f"{group}/v1", "Widget", True)
    assert kube.get(f"{group}/v1", "Widget", "w1", ns)["spec"] == {"size": 3}
    # (the Namespace's first re-apply may upgrade its managedFields: configured, once)
    with cicd.Document.load(crd_set(ns, group), "crd.yaml") as doc:
        kube.apply_set([doc])
        again = kube.apply_set([doc])
    assert [(r.name, r.action, r.file) for r in again] == [(ns, "unchanged", "crd.yaml"),
                                                           (f"widgets.{group}", "unchanged", "crd.yaml"),
                                                           ("w1", "unchanged", "crd.yaml")]


def test_apply_manifests_in_apply_order(kube):
    ns = f"cicd-py-manifests-{RUN}"
    with cicd.ManifestSet() as ms:
        ms.add(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: conf, namespace: {ns}}}\ndata: {{a: b}}\n---\n"
               f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n", "set.yaml")
        results = kube.apply_manifests(ms, field_manager="py-test")
        assert [(r.kind, r.name, r.action, r.file, r.line) for r in results] == [
            ("Namespace", ns, "created", "set.yaml", 6), ("ConfigMap", "conf", "created", "set.yaml", 1)]
        assert [r.action for r in kube.apply_manifests(ms, field_manager="py-test", dry_run=True)] == [
            "unchanged", "unchanged"]
    managers = [m["manager"] for m in kube.get("v1", "ConfigMap", "conf", ns)["metadata"]["managedFields"]]
    assert managers == ["py-test"]


def test_a_failed_object_raises_with_every_result_attached(kube):
    ns = namespace(kube, f"cicd-py-fail-{RUN}")
    good = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: good, namespace: {ns}}}\n"
    bad = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: Bad_Name, namespace: {ns}}}\n"
    with pytest.raises(cicd.ValidationError) as e:
        kube.apply_set([good, bad])
    prefix = f'ConfigMap {ns}/Bad_Name: ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": '
    assert e.value.message.startswith(prefix)
    good_r, bad_r = e.value.results
    assert (good_r.name, good_r.action, good_r.error) == ("good", "created", None)
    assert (bad_r.name, bad_r.action, type(bad_r.error)) == ("Bad_Name", None, cicd.ValidationError)
    assert bad_r.error.message == e.value.message and bad_r.file == "documents[1]"


def test_watch_sees_added_modified_deleted(kube, plane):
    ns = namespace(kube, f"cicd-py-watch-{RUN}")
    kube.apply(configmap("before", ns, a="0"))
    start = kube.list("v1", "ConfigMap", ns)
    other = client(plane)
    # only "w": the controller-manager adds kube-root-ca.crt to a new namespace at a moment of its choosing
    with kube.watch("v1", "ConfigMap", ns, resource_version=start.resource_version, bookmarks=False,
                    field_selector="metadata.name=w") as watch:
        other.create(configmap("w", ns, a="1"))
        other.apply(configmap("w", ns, a="2"), force=True)
        other.delete("v1", "ConfigMap", "w", ns)
        events = [watch.next(timeout=20) for _ in range(3)]
        assert [(e.type, e.object["metadata"]["name"], e.object["data"]) for e in events] == [
            ("ADDED", "w", {"a": "1"}), ("MODIFIED", "w", {"a": "2"}), ("DELETED", "w", {"a": "2"})]
        assert watch.resource_version == events[2].object["metadata"]["resourceVersion"]
        assert watch.relists == 0
        # nothing more: None after the timeout, and the watch stays usable
        t = time.monotonic()
        assert watch.next(timeout=0.3) is None
        assert 0.3 <= time.monotonic() - t < 3
    other.close()
    # without a resourceVersion the current objects come first, as SYNC events
    with kube.watch("v1", "ConfigMap", ns, field_selector="metadata.name=before") as watch:
        event = next(iter(watch))
        assert (event.type, event.object["metadata"]["name"], event.object["data"]) == ("SYNC", "before", {"a": "0"})
    with pytest.raises(ValueError, match="^kube watch is closed$"):
        watch.next()
    with pytest.raises(ValueError, match="^kube watch is closed$"):
        watch.resource_version
    with pytest.raises(cicd.NotFoundError) as e:
        kube.watch("v1", "NoSuchKind", ns)
    assert e.value.message == "the server has no kind NoSuchKind in v1"


def test_a_watch_keeps_its_client_alive_and_closes_with_it(plane):
    c = client(plane)
    alive = weakref.ref(c)
    watch = c.watch("v1", "Namespace", field_selector="metadata.name=default")
    del c
    gc.collect()
    assert alive() is not None  # the watch holds it
    event = watch.next(timeout=20)
    assert (event.type, event.object["metadata"]["name"]) == ("SYNC", "default")
    watch.close()
    del watch
    gc.collect()
    assert alive() is None
    # closing the client closes its watches; what they returned stays valid
    c = client(plane)
    watch = c.watch("v1", "Namespace", field_selector="metadata.name=default")
    event = watch.next(timeout=20)
    c.close()
    with pytest.raises(ValueError, match="^kube watch is closed$"):
        watch.next()
    watch.close()  # closing again is fine
    assert event.object["metadata"]["name"] == "default"


def test_cancel_interrupts_a_watch(kube):
    ns = namespace(kube, f"cicd-py-watch-{RUN}")
    with kube.watch("v1", "ConfigMap", ns, field_selector="metadata.name=never") as watch:
        timer = later(0.5, kube.cancel)
        with pytest.raises(cicd.CanceledError):
            for _ in watch:
                pass
        assert since(timer) < 1.0
        kube.cancel_clear()
        assert watch.next(timeout=0.2) is None  # the watch stays usable


def test_closing_a_watch_or_its_client_from_another_thread_ends_a_wait(kube, plane):
    ns = namespace(kube, f"cicd-py-watch-{RUN}")
    watch = kube.watch("v1", "ConfigMap", ns, field_selector="metadata.name=never")
    timer = later(0.5, watch.close)
    with pytest.raises(cicd.CanceledError) as e:
        for _ in watch:
            pass
    assert since(timer) < 1.0
    assert e.value.message == "the kube watch was closed while waiting"
    with pytest.raises(ValueError, match="^kube watch is closed$"):
        watch.next()
    # closing the client cancels what runs on it instead of waiting for its end
    c = client(plane)
    watch = c.watch("v1", "ConfigMap", ns, field_selector="metadata.name=never")
    timer = later(0.5, c.close)
    with pytest.raises(cicd.CanceledError):
        watch.next()
    assert since(timer) < 1.0
    with pytest.raises(ValueError, match="^kube watch is closed$"):
        watch.next()
    with pytest.raises(ValueError, match="^kube client is closed$"):
        c.list("v1", "ConfigMap", ns)


def test_a_watch_collected_while_its_client_is_busy_is_freed_by_the_next_call(kube, talker):
    ns, pod = talker
    watch = kube.watch("v1", "ConfigMap", ns)
    failures = []

    def follow():
        try:
            kube.logs(ns, pod, container="app", follow=True, on_data=lambda data: None)
        except cicd.CanceledError as e:
            failures.append(e)

    busy = threading.Thread(target=follow)
    busy.start()
    time.sleep(0.5)
    del watch
    gc.collect()  # the finalizer must not wait for the follow: the watch is set aside
    assert len(kube._orphans) == 1
    kube.cancel()
    busy.join()
    assert len(failures) == 1
    kube.cancel_clear()
    kube.list("v1", "ConfigMap", ns)
    assert kube._orphans == []


def test_ctrl_c_interrupts_a_watch_iteration(kube):
    class Interrupted(Exception):
        pass

    def on_sigint(signum, frame):
        raise Interrupted()

    ns = namespace(kube, f"cicd-py-watch-{RUN}")
    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        with kube.watch("v1", "ConfigMap", ns, field_selector="metadata.name=never") as watch:
            timer = later(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
            with pytest.raises(Interrupted):
                for _ in watch:
                    pass
            assert since(timer) < 1.0
    finally:
        signal.signal(signal.SIGINT, previous)


LOG = ("2026-01-01T00:00:01.000000000Z stdout F line one\n2026-01-01T00:00:02.000000000Z stderr F line two\n"
       "2026-01-01T00:00:03.000000000Z stdout F line three\n")


@pytest.fixture
def talker(kube):
    """A running pod in cicd-py-logs, whose containers' log kwok reads from py.log."""
    logs = os.environ["CICD_K8S_KWOK_LOGS"]
    with open(os.path.join(logs, "py.log"), "w") as f:
        f.write(LOG)
    with open(os.path.join(logs, "py-previous.log"), "w") as f:
        f.write("2026-01-01T00:00:00.000000000Z stdout F before the restart\n")
    ns, pod = "cicd-py-logs", f"talker-{RUN}"
    kube.apply_set(f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n"
                   f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {pod}, namespace: {ns}}}\n"
                   "spec: {containers: [{name: app, image: busybox}, {name: side, image: busybox}]}\n")
    assert kube.rollout_wait("v1", "Pod", pod, ns, timeout_ms=60000) == f'pod "{pod}" is ready'
    return ns, pod


def append_later(seconds: float, line: str) -> threading.Timer:
    def append():
        with open(os.path.join(os.environ["CICD_K8S_KWOK_LOGS"], "py.log"), "a") as f:
            f.write(line)
    return later(seconds, append)


def test_logs_with_options(kube, talker):
    ns, pod = talker
    assert kube.logs(ns, pod, container="app") == b"line one\nline two\nline three\n"
    assert kube.logs(ns, pod, container="app", tail_lines=1, timestamps=True) == (
        b"2026-01-01T00:00:03.000000000Z line three\n")
    assert kube.logs(ns, pod, container="app", since_seconds=60) == b""  # every line is older
    assert kube.logs(ns, pod, container="side", limit_bytes=8) == b"line one"
    assert kube.logs(ns, pod, container="app", previous=True) == b"before the restart\n"
    chunks = []
    assert kube.logs(ns, pod, container="app", on_data=chunks.append) is None
    assert b"".join(chunks) == b"line one\nline two\nline three\n"
    # the server's refusals, with its message
    with pytest.raises(cicd.ValidationError) as e:
        kube.logs(ns, pod, container="nope")
    assert e.value.message.startswith(f"logs of pod {ns}/{pod}: container nope is not valid for pod {pod}")
    with pytest.raises(cicd.ValidationError) as e:
        kube.logs(ns, pod)
    assert e.value.message.startswith(f"logs of pod {ns}/{pod}: a container name must be specified for pod {pod}")
    with pytest.raises(cicd.NotFoundError):
        kube.logs(ns, "missing", container="app")


def test_logs_follow_until_the_callable_stops(kube, talker):
    ns, pod = talker
    got = bytearray()

    def on_data(data: bytes) -> bool:
        got.extend(data)
        return b"appended while following\n" in got

    writer = append_later(1.0, "2026-01-01T00:00:05.000000000Z stdout F appended while following\n")
    assert kube.logs(ns, pod, container="app", follow=True, on_data=on_data) is None
    writer.join()
    assert bytes(got) == b"line one\nline two\nline three\nappended while following\n"

    class Stop(Exception):
        pass

    def fail(data: bytes):
        raise Stop(data)

    with pytest.raises(Stop) as e:
        kube.logs(ns, pod, container="app", follow=True, on_data=fail)
    assert e.value.args[0].startswith(b"line one\n")


def test_cancel_interrupts_a_log_follow(kube, talker):
    ns, pod = talker
    got = []
    timer = later(1.0, kube.cancel)
    with pytest.raises(cicd.CanceledError):
        kube.logs(ns, pod, container="app", follow=True, on_data=got.append)
    assert since(timer) < 1.0
    assert b"".join(got).startswith(b"line one\n")
    with pytest.raises(cicd.CanceledError):  # until cleared
        kube.logs(ns, pod, container="app")
    kube.cancel_clear()
    assert kube.logs(ns, pod, container="app", tail_lines=1) == b"line three\n"


def test_ctrl_c_stops_a_log_follow_at_once(kube, talker):
    class Interrupted(Exception):
        pass

    def on_sigint(signum, frame):
        raise Interrupted()

    ns, pod = talker
    got = []
    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        # the signal at 0.3 s ends the follow then, not when the next line comes at 1.5 s
        interrupt = later(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
        writer = append_later(1.5, "2026-01-01T00:00:06.000000000Z stdout F after the signal\n")
        with pytest.raises(Interrupted):
            kube.logs(ns, pod, container="app", follow=True, tail_lines=0, on_data=got.append)
        assert since(interrupt) < 1.0
        writer.join()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert got == []
    # the client works on: the cancel the signal made is cleared
    assert kube.logs(ns, pod, container="app", tail_lines=1) == b"after the signal\n"


DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: app, image: '{image}'}}]}}
"""


def deploy(kube, name: str, image: str, replicas: int = 1) -> str:
    ns = f"cicd-py-rollout-{RUN}"
    kube.apply_set(f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n" +
                   DEPLOY.format(name=name, ns=ns, replicas=replicas, image=image))
    return ns


def test_rollout_wait_succeeds_with_progress(kube):
    ns = deploy(kube, "ok", "nginx:1.25", replicas=3)
    progress = []
    assert kube.rollout_wait("apps/v1", "Deployment", "ok", ns, timeout_ms=60000,
                             on_progress=progress.append) == 'deployment "ok" successfully rolled out'
    assert progress[-1] == 'deployment "ok" successfully rolled out'
    assert all(p.startswith('Waiting for deployment') for p in progress[:-1]), progress


def test_rollout_wait_fails_naming_image_pull_backoff(kube):
    image = "registry.example/doesnotexist:1.0"
    ns = deploy(kube, "badimage", image)
    with pytest.raises(cicd.Error) as e:
        kube.rollout_wait("apps/v1", "Deployment", "badimage", ns, timeout_ms=60000)
    assert type(e.value) is cicd.Error and e.value.name == "CICD_ERROR"
    assert e.value.message.startswith(f"Deployment {ns}/badimage cannot roll out: ImagePullBackOff: pod ")
    assert f'cannot pull image "{image}"' in e.value.message
    # keep_waiting: the pod problem is reported at the deadline, with what was awaited
    with pytest.raises(cicd.TimeoutError_) as e:
        kube.rollout_wait("apps/v1", "Deployment", "badimage", ns, timeout_ms=1500, keep_waiting=True)
    assert e.value.message.startswith(f"Deployment {ns}/badimage did not roll out within 1500 ms: Waiting for "
                                      'deployment "badimage" rollout to finish')
    assert "ImagePullBackOff" in e.value.message
    with pytest.raises(cicd.NotFoundError) as e:
        kube.rollout_wait("apps/v1", "Deployment", "nothere", ns)
    assert e.value.message == f'Deployment {ns}/nothere: deployments.apps "nothere" not found'


def test_rollout_wait_stops_on_progress_exception_and_on_cancel(kube):
    ns = deploy(kube, "stuck", "registry.example/doesnotexist:2.0")

    class Stop(Exception):
        pass

    def on_progress(message: str):
        raise Stop(message)

    t = time.monotonic()
    with pytest.raises(Stop) as e:
        kube.rollout_wait("apps/v1", "Deployment", "stuck", ns, keep_waiting=True, on_progress=on_progress)
    assert e.value.args[0].startswith('Waiting for deployment ')
    assert time.monotonic() - t < 5
    assert kube.get("apps/v1", "Deployment", "stuck", ns)["metadata"]["name"] == "stuck"  # the client works on
    timer = later(1.0, kube.cancel)
    with pytest.raises(cicd.CanceledError):
        kube.rollout_wait("apps/v1", "Deployment", "stuck", ns, keep_waiting=True, timeout_ms=60000)
    assert since(timer) < 1.0
    kube.cancel_clear()


def test_objects_outlive_the_client(plane):
    with client(plane) as c:
        obj = c.get("v1", "Namespace", "default")
        items = c.list("v1", "Namespace", field_selector="metadata.name=default")
    assert obj["metadata"]["name"] == "default"
    assert [o["metadata"]["name"] for o in items] == ["default"] and items.resource_version
    with pytest.raises(ValueError, match="^kube client is closed$"):
        c.get("v1", "Namespace", "default")
