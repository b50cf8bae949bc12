#!/usr/bin/env python3
"""Every function and method of the installed cicd package ran during the test suite.

usage: check_function_coverage.py COVERAGE_DATA_FILE

Reads the data `coverage run --source=cicd -m pytest` wrote and, for each def in the package's
Python files (the SWIG layer cicd_c.py excepted), checks that at least one line of its body
executed. Prints the ones that never ran and exits 1 if there are any: a binding call no test
makes is a call nobody has seen work.
"""
import ast
import os
import sys

import coverage


def defs(tree):
    """(qualified name, body line numbers) of every function, nested ones and methods included."""
    out = []

    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                lines = {n.lineno for stmt in child.body for n in ast.walk(stmt) if hasattr(n, "lineno")}
                out.append((name, child.lineno, lines))
                walk(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                walk(child, prefix + child.name + ".")
            else:
                walk(child, prefix)

    walk(tree, "")
    return out


def main():
    data = coverage.CoverageData(basename=sys.argv[1])
    data.read()
    missing = []
    files = [f for f in data.measured_files() if os.sep + "cicd" + os.sep in f]
    if not files:
        print("no cicd files in the coverage data")
        return 1
    pkg = os.path.dirname(files[0])
    for name in sorted(os.listdir(pkg)):
        if not name.endswith(".py") or name == "cicd_c.py":
            continue
        path = os.path.join(pkg, name)
        ran = set(data.lines(path) or [])
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for qualname, line, body in defs(tree):
            if body and not (body & ran):
                missing.append("%s:%d: %s" % (name, line, qualname))
    for m in missing:
        print("never ran: " + m)
    print("%d functions of the Python binding never ran in the tests" % len(missing) if missing
          else "every function of the Python binding ran in the tests")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
