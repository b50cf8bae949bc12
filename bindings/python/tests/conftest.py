"""The control plane of the live tests (scripts/k8s-testenv/with-plane.sh exports its env).

Without CICD_K8S_SERVER the live tests skip, unless CICD_REQUIRE_PLANE=1 (the test command runs
both binding suites inside one plane), where a missing plane is a failure."""
import os

import pytest


@pytest.fixture
def plane() -> str:
    """The admin kubeconfig of the running plane."""
    if not os.environ.get("CICD_K8S_SERVER"):
        if os.environ.get("CICD_REQUIRE_PLANE") == "1":
            pytest.fail("CICD_REQUIRE_PLANE=1 but no control plane: CICD_K8S_SERVER is not set")
        pytest.skip("no control plane (run under scripts/k8s-testenv/with-plane.sh)")
    return os.environ["KUBECONFIG"]
