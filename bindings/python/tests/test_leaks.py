"""Leak checks: resident memory before and after many cycles of each module's calls.

Each cycle creates and frees C objects and takes error paths. A leak of one
object per cycle grows memory by several MiB over the measured cycles; the
self-check at the end proves the measurement sees such a leak."""
import gc
import os

import pytest

import cicd
from cicd import cicd_c as _c

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "pipeline", ".gitlab-ci.yml")
WARMUP, CYCLES, LIMIT_KIB = 300, 3000, 4096


def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _growth_kib(cycle, cycles: int = CYCLES, warmup: int = WARMUP) -> int:
    for _ in range(warmup):
        cycle()
    gc.collect()
    before = _rss_kib()
    for _ in range(cycles):
        cycle()
    gc.collect()
    return _rss_kib() - before


def _swallow(fn, exc):
    try:
        fn()
    except exc:
        pass
    else:
        raise AssertionError("expected an error")


TEXT = open(EXAMPLE).read()


def document_cycle():
    with cicd.Document.load(TEXT, "ci.yml") as doc:
        doc.root().to_json()
        doc.root()["stages"].to_yaml()
        doc.line(0), doc.root()["stages"][0].style, doc.root()["stages"][0].value_type
    _swallow(lambda: cicd.Document.load("a: [1\n"), cicd.ParseError)
    _swallow(lambda: cicd.Document.load_file("/nonexistent/x.yml"), cicd.IOError_)


def expr_cycle():
    # Sizes such that one object leaked per cycle (an expression, a value
    # kept referenced, an expansion buffer) outgrows the limit.
    n = 2000
    with cicd.Expression('$CI_COMMIT_BRANCH =~ /^(feature|hotfix)\\// && $X == "' + "y" * n + '"') as e:
        e.evaluate({"CI_COMMIT_BRANCH": "feature/x", "X": "y" * n})
        e.variables
    cicd.expand("$A ${B} %C% " * 20, {"A": "1" * (n // 10), "B": b"2" * n, "C": "3"})
    _swallow(lambda: cicd.Expression("$A =~ /(a/"), cicd.ParseError)
    _swallow(lambda: cicd.Expression("$A").evaluate({"A": 1}), TypeError)


def mask_cycle():
    with cicd.Masker(["hunter2hunter2", "s3cr3t" * 400], extra_prefixes=["myco_"]) as m:
        m.write(b"x hunter2hunter2 glpat-abc ?token=x " * 50)
        m.finish()
    _swallow(lambda: cicd.Masker(["a", "b"], max_phrases=1), cicd.LimitError)
    cicd.crc32(b"x" * 1000)


FULL = os.path.join(os.path.dirname(__file__), "..", "..", "testdata", "full.gitlab-ci.yml")


def pipeline_cycle():
    with cicd.Pipeline.load(FULL) as p:
        for job in p:
            job.rules, job.needs, job.instances, job.variables, job.only, job.script
        p.to_json()
        p["test"]
    _swallow(lambda: cicd.Pipeline.loads("a:\n  stage: nope\n  script: x\n", "bad.yml"), cicd.ValidationError)
    _swallow(lambda: cicd.Pipeline.loads("include:\n  - remote: https://h/x.yml\n", "m.yml",
                                         resolver=lambda *a: ("r:\n  stage: no\n  script: " + "y" * 2000 + "\n", "inc")),
             cicd.ValidationError)
    _swallow(lambda: cicd.Pipeline.loads("include:\n  - remote: https://h/x.yml\n", "m.yml",
                                         resolver=lambda *a: {}["raise"]), KeyError)
    with cicd.Pipeline.loads("include:\n  - remote: https://h/x.yml\nx:\n  script: x\n", "m.yml",
                             resolver=lambda *a: "r:\n  script: " + "z" * 2000 + "\n"):
        pass


PLAN_TEXT = "a:\n  script: x\n  rules:\n    - if: $GO == \"" + "g" * 2000 + "\"\n    - exists: [M]\n  parallel: 3\n"


def plan_cycle():
    with cicd.Pipeline.loads(PLAN_TEXT, "p.yml") as p, cicd.Planner(p) as planner:
        trigger = cicd.Trigger.branch("main", sha="0" * 40, variables={"GO": "g" * 2000}, changed=["a"],
                                      exists=lambda g: True)
        with planner.plan(trigger) as plan:
            [(j.name, j.variables, j.needs, j.prerequisites) for j in plan]
            plan.critical_path, plan.topological_order, plan.to_json(), plan.variable("GO")
        trigger.close()
        _swallow(lambda: planner.plan(branch="main", exists=lambda g: 1 / 0), ZeroDivisionError)
        _swallow(lambda: cicd.Trigger.branch("x", sha="bad"), cicd.InvalidArgumentError)
    # a trigger's secrets, masked in a long include error
    with cicd.Trigger.branch("main", masked_variables={"S": "s" * 2000, "T": "t" * 500}) as secret:
        _swallow(lambda: cicd.Pipeline.loads("include: https://h/$S/$T.yml\na:\n  script: x\n", "m.yml",
                                             resolver=lambda *a: None, trigger=secret), cicd.ValidationError)
    _swallow(lambda: cicd.plan(cicd.Pipeline.loads("a:\n  script: x\n  parallel: 5\n"), branch="m", max_jobs=2),
             cicd.LimitError)


POLICY = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "policy", "policy.yml")
LONG_PRE = "-" + ".".join(["rc"] * 80)  # a 240-byte pre-release, so one leaked version shows


def semver_cycle():
    versions = [cicd.Version(f"1.{i}.0{LONG_PRE}") for i in range(5)]
    cicd.sort_versions(versions + ["2.0.0"], reverse=True)
    r = cicd.Range("^1.2 || >=3.0.0-rc.1 " + "|| ^0.0.1 " * 20)
    r.max_satisfying(versions), r.min_satisfying(versions), "1.5.0" in r, str(r)
    versions[0].inc("prerelease"), versions[0].diff("1.0.0"), versions[0].copy(), versions[0] < "1.0.0"
    cicd.Version.coerce("release 1.4 final" + "x" * 200)
    cicd.compare("1.2.3" + LONG_PRE, "1.2.3"), cicd.satisfies("1.2.3", "^1")
    _swallow(lambda: cicd.Version("1.2" + "x" * 200), cicd.ParseError)
    _swallow(lambda: cicd.Range("^^" + "x" * 300), cicd.ParseError)
    _swallow(lambda: versions[0].inc("bogus"), cicd.InvalidArgumentError)
    r.test("1.5.0" + LONG_PRE)
    _swallow(lambda: r.test("=1.5.0" + LONG_PRE), cicd.ParseError)


def policy_cycle():
    with cicd.Policy.load(POLICY) as p:
        p.check_push("feature/80-optimize-allocate" + "-x" * 100), p.check_push("master")
        p.check_merge_request("feature/1-x", "master"), p.check_tag("v1.4.0", "master", ["v1.5.0"] * 20)
        p.tag_version("v1.4.0"), p.tag_version("nope"), p.release_tag("1.4.0")
        _swallow(lambda: p.release_tag("1.4.0" + LONG_PRE), cicd.InvalidArgumentError)
    _swallow(lambda: cicd.Policy.loads("version: 1\nbranches:\n  x:\n    pattern: '('\n" + "#" * 2000),
             cicd.ValidationError)
    cicd.next_version("1.2.3", ["feat: " + "y" * 2000] * 3, pre_id="dev"), cicd.commit_bump("fix: x")
    _swallow(lambda: cicd.next_version("1.2.3", ["fix: a"], pre_id="bad id"), cicd.InvalidArgumentError)


WEB = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "deploy", "web")


def manifest_cycle():
    with cicd.ManifestSet.load(os.path.join(WEB, "v1")) as old, cicd.ManifestSet.load(os.path.join(WEB, "v2")) as new:
        new.validate(), new.sort("apply"), new.hash, new.render()
        new.set_image("registry.example.com/web/frontend", new_tag="2.0.1")
        new.set_label("team", "platform", templates=True), new.set_annotation("note", "p" * 2000)
        new.set_namespace("staging")
        with old.diff(new) as diff:
            list(diff), diff.render(), diff.render("json")
        [(m.hash, m.canonical, m.labels, m.scope) for m in new]
        _swallow(lambda: new.find("Deployment", "nope"), cicd.NotFoundError)
    bad = cicd.ManifestSet()
    _swallow(lambda: bad.add("a: [1\n" + "#" * 2000, "bad.yaml"), cicd.ParseError)
    bad.add("- 1\n", "list.yaml")
    _swallow(bad.validate, cicd.ValidationError)
    bad.close()


DEPLOY_APP = open(os.path.join(WEB, "v2", "20-app.yaml")).read()


def deploy_cycle(_state={}):
    # One store for all cycles (opening SQLite is the slow part); what is pushed is identical after the
    # first cycle, so the store does not grow while the bindings' buffers and errors go round.
    import tempfile
    if "store" not in _state:
        _state["dir"] = tempfile.TemporaryDirectory()
        _state["store"] = cicd.DeployStore(os.path.join(_state["dir"].name, "s.db"))
        _state["store"].add_target("dev", namespace="demo")
    s = _state["store"]
    s.push_text("shop/web", DEPLOY_APP, "app.yaml"), s.versions("shop/web"), s.targets()
    s.diff_versions("shop/web@1", "shop/web@1", format="json")
    _swallow(lambda: s.push_text("shop/web", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n"
                                 + "#" * 6000, "bad.yaml"), cicd.ValidationError)
    _swallow(lambda: s.versions("shop/" + "x" * 6000), cicd.InvalidArgumentError)
    _swallow(lambda: s.job(99), cicd.NotFoundError)
    _swallow(lambda: s.add_target("dev", namespace="demo"), cicd.ExistsError)


CYCLE_FUNCS = [document_cycle, expr_cycle, mask_cycle, pipeline_cycle, plan_cycle, semver_cycle, policy_cycle,
               manifest_cycle, deploy_cycle]


POD_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "unit", "pod", "data")
POD_JOB = open(os.path.join(POD_DATA, "job_basic.json")).read()
POD_RUNNER = open(os.path.join(POD_DATA, "runner_basic.yml")).read()


def pod_cycle():
    with cicd.JobPayload.loads(POD_JOB, "job.json") as job, cicd.RunnerConfig.loads(POD_RUNNER, "r.yml") as cfg:
        job.variables, job.services, job.steps, job.unknown_keys, job.raw, job.failure_reason("bogus")
        cicd.render_pod(job, cfg), cicd.render_script(job, cfg, "script", nonce="N0nce")
        with job.masker() as m:
            m.write(b"sup3r-s3cret-key " * 100)
        _swallow(lambda: cicd.render_script(job, cfg, "nope"), cicd.NotFoundError)
        cfg.warnings
    cicd.find_exit_code("x" * 2000 + "\n::cicd-exit::N::script::3\n", "N", "script")
    cicd.pod_failure_reason('{"kind": "Pod", "status": {"phase": "Failed"}, "x": "' + "y" * 2000 + '"}', "p.json")
    _swallow(lambda: cicd.JobPayload.loads('{"id": "x", "pad": "' + "z" * 2000 + '"}', "j.json"), cicd.ParseError)
    _swallow(lambda: cicd.RunnerConfig.loads("kubernetes:\n  cpu_limit: [1]\n#" + "c" * 2000), cicd.ParseError)


CYCLE_FUNCS.append(pod_cycle)

KUBECONFIG = """clusters:
- name: c
  cluster: {server: 'https://127.0.0.1:1'}
users:
- name: u
  user: {token: t0ken}
contexts:
- name: x
  context: {cluster: c, user: u, namespace: ns}
current-context: x
"""


def kaniko_cycle():
    creds = [("registry.example.com", "ci", "s3cr3t" * 100)]
    cicd.render_kaniko("dir:///workspace", ["r.example.com/a:1"] * 20, build_args=["A=" + "b" * 500],
                       credentials=creds, ca_bundle="-----BEGIN CERTIFICATE-----\n" * 50, format="json")
    _swallow(lambda: cicd.render_kaniko("dir:///w", ["r/a:1"], memory_limit="2GB", credentials=creds),
             cicd.ValidationError)
    _swallow(lambda: cicd.render_kaniko("dir:///w", ["r/a:1"], build_args=["A=1", 5]), TypeError)


def kube_cycle():
    with cicd.KubeConfig.loads(KUBECONFIG + "#" + "p" * 2000, "k.yaml") as cfg:
        cfg.server, cfg.context, cfg.namespace, cfg.auth_kind
        with cicd.KubeClient(cfg) as client:
            client.namespace
    _swallow(lambda: cicd.KubeConfig.loads("clusters: 5\n#" + "p" * 2000, "k.yaml"), cicd.ParseError)
    _swallow(lambda: cicd.KubeConfig.loads(KUBECONFIG, "k.yaml", context="nope"), cicd.NotFoundError)
    pod = '{"metadata":{"name":"p"},"status":{"phase":"Failed"},"x":"' + "y" * 2000 + '"}'
    cicd.pod_problem(pod)
    cicd.rollout_decide('{"kind":"Pod","metadata":{"name":"p"},"status":{"phase":"Running"}}')
    _swallow(lambda: cicd.rollout_decide('{"kind":"ConfigMap","metadata":{"name":"c"}}'), cicd.UnsupportedError)


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: '" + "y" * 60 + "'}}\ndata: {k: '" + "v" * 2000 + "'}\n"


def kube_calls_cycle():
    # every call's error path against a closed port (discovery is refused), results and exceptions
    # with their messages, argument errors, and cancel
    with cicd.KubeConfig.loads(KUBECONFIG, "k.yaml") as cfg, cicd.KubeClient(cfg, max_retries=-1) as c:
        _swallow(lambda: c.resolve("deployments.apps" + "x" * 200), cicd.HTTPError)
        _swallow(lambda: c.get("v1", "ConfigMap", "a"), cicd.HTTPError)
        _swallow(lambda: c.list("v1", "ConfigMap", label_selector="x=" + "y" * 60, page_size=1), cicd.HTTPError)
        _swallow(lambda: c.create(CM.replace("\n", " ")), cicd.ParseError)
        _swallow(lambda: c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a" * 200}}),
                 cicd.HTTPError)
        _swallow(lambda: c.delete("v1", "ConfigMap", "a", propagation="foreground", grace_period_seconds=3),
                 cicd.HTTPError)
        _swallow(lambda: c.apply(CM, field_manager="m" * 100, force=True), cicd.HTTPError)
        _swallow(lambda: c.apply("- " + "x" * 2000), cicd.InvalidArgumentError)
        _swallow(lambda: c.apply_set([CM, CM.replace("name: a", "name: b"), "- x\n"], on_result=lambda r: None),
                 cicd.HTTPError)
        with cicd.ManifestSet() as ms:
            ms.add(CM, "m.yaml")
            _swallow(lambda: c.apply_manifests(ms), cicd.HTTPError)
        _swallow(lambda: c.watch("v1", "ConfigMap", label_selector="x=" + "y" * 60), cicd.HTTPError)
        _swallow(lambda: c.logs("ns", "pod", container="c" * 60, tail_lines=10), cicd.HTTPError)
        _swallow(lambda: c.rollout_wait("apps/v1", "Deployment", "web" * 60, on_progress=lambda m: None),
                 cicd.HTTPError)
        c.cancel()
        _swallow(lambda: c.get("v1", "ConfigMap", "a"), cicd.CanceledError)
        c.cancel_clear()


CYCLE_FUNCS += [kaniko_cycle, kube_cycle, kube_calls_cycle]


def log_cycle():
    # A handler kept alive by a lost reference would keep its payload: 20 KiB a cycle.
    payload = b"x" * 20000
    cicd.set_log_handler(lambda level, message: payload, cicd.LogLevel.DEBUG)
    cicd.set_log_handler(lambda level, message: payload, cicd.LogLevel.TRACE)
    cicd.log_to("cicd.leaks")
    cicd.set_log_handler(None)


CYCLE_FUNCS += [log_cycle]

# The deploy store's calls go to SQLite: fewer cycles, with payloads three times larger.
SLOW = {deploy_cycle: CYCLES // 3}


@pytest.mark.parametrize("cycle", CYCLE_FUNCS, ids=lambda c: c.__name__)
def test_no_leak_over_many_cycles(cycle):
    cycles = SLOW.get(cycle, CYCLES)
    grown = _growth_kib(cycle, cycles)
    assert grown < LIMIT_KIB, f"RSS grew by {grown} KiB over {cycles} cycles"


# Against the control plane: each cycle sends 6 requests and streams a watch, so fewer cycles, with
# an object of 16 KiB (a leaked copy per cycle would still grow RSS by 9 MiB, twice the limit).
LIVE_WARMUP, LIVE_CYCLES = 100, 600


def test_no_leak_in_live_kube_calls(plane):
    ns = f"cicd-py-leak-{os.getpid()}"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": ns, "labels": {"l": "x"}},
          "data": {"k": "v" * 16384}}
    with cicd.KubeConfig.load(plane, in_cluster=False) as cfg, cicd.KubeClient(cfg) as c:
        c.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})

        def cycle():
            start = c.list("v1", "ConfigMap", ns, label_selector="l=x")
            with c.watch("v1", "ConfigMap", ns, resource_version=start.resource_version, label_selector="l=x",
                         bookmarks=False) as w:
                assert c.apply(cm)[0] == "created"
                assert c.get("v1", "ConfigMap", "c", ns)["data"] == cm["data"]
                assert len(c.list("v1", "ConfigMap", ns, label_selector="l=x", page_size=1)) == 1
                c.delete("v1", "ConfigMap", "c", ns, grace_period_seconds=0)
                assert [w.next(timeout=10).type for _ in range(2)] == ["ADDED", "DELETED"]
            _swallow(lambda: c.get("v1", "ConfigMap", "c", ns), cicd.NotFoundError)

        grown = _growth_kib(cycle, LIVE_CYCLES, LIVE_WARMUP)
    assert grown < LIMIT_KIB, f"RSS grew by {grown} KiB over {LIVE_CYCLES} cycles"


def test_the_check_sees_a_real_leak():
    # Loading through the raw layer without cicd_document_free leaks one tree per cycle.
    kept = []

    def leaky():
        rc, handle = _c.cicd_py_document_load_buffer(TEXT, "ci.yml", 0, 0, 0, 0, 0, 0)
        assert rc == 0
        del handle  # the SWIG pointer object does not own the tree

    grown = _growth_kib(leaky)
    assert grown >= LIMIT_KIB, f"a leak of one document per cycle grew RSS by only {grown} KiB"
    assert not kept
