"""Builds the SWIG extension cicd._cicd.

libcicd comes from the enclosing source tree (built here with CMake as a
static library) unless CICD_USE_PKGCONFIG=1 asks for an installed one.
"""
import os
import shlex
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build import build
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEPS = ["yaml-0.1", "libcurl", "libcrypto", "re2", "sqlite3", "libpq"]


def pkgconfig(*args):
    out = subprocess.run(["pkg-config", *args], check=True, capture_output=True, text=True).stdout
    return shlex.split(out)


class BuildExt(build_ext):
    def build_extensions(self):
        ext = self.extensions[0]
        swig_includes = []
        if os.environ.get("CICD_USE_PKGCONFIG") == "1":
            ext.include_dirs += [a[2:] for a in pkgconfig("--cflags-only-I", "libcicd")]
            ext.extra_link_args += pkgconfig("--libs", "libcicd")
            include = Path(pkgconfig("--variable=includedir", "libcicd")[0])
        else:
            build = Path(os.environ.get("CICD_BUILD_DIR", ROOT / "build-python"))
            subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                            "-DCICD_BUILD_TESTS=OFF", "-DCICD_BUILD_TOOLS=OFF", "-DCICD_BUILD_BENCH=OFF"],
                           check=True, stdout=subprocess.DEVNULL)
            subprocess.run(["cmake", "--build", str(build), "--target", "cicd_static", "-j",
                            str(os.cpu_count() or 2)], check=True, stdout=subprocess.DEVNULL)
            include = ROOT / "include"
            ext.include_dirs += [str(include), str(build / "include")]
            ext.extra_objects += [str(build / "libcicd.a")]
            ext.depends += [str(build / "libcicd.a")]
            ext.extra_link_args += pkgconfig("--libs", *DEPS) + ["-lyajl", "-lpthread", "-lm", "-lstdc++"]
            swig_includes.append("-I" + str(build / "include"))
        ext.swig_opts += ["-I" + str(include)] + swig_includes
        super().build_extensions()


class Build(build):
    """SWIG writes cicd/_cicd.py while building the extension: build it before the Python files are copied."""

    sub_commands = [("build_ext", build.has_ext_modules)] + [c for c in build.sub_commands if c[0] != "build_ext"]


setup(
    ext_modules=[
        Extension(
            "cicd._cicd_c",
            sources=["cicd/cicd.i"],
            # Rebuild when a module's interface or a public header changes, not only cicd.i.
            depends=sorted(str(p.relative_to(HERE)) for p in (HERE / "cicd").glob("*.i"))
            + sorted(str(p) for p in (ROOT / "include" / "cicd").glob("*.h")),
            swig_opts=[],
            extra_compile_args=["-Wno-unused-parameter"],
        )
    ],
    cmdclass={"build": Build, "build_ext": BuildExt},
)
