"""Dependencies whose internals the code uses are pinned exactly, in pyproject and the lock."""

from __future__ import annotations

import re
import tomllib

from tests.packaging.conftest import ROOT

# Packages the service reaches into beyond their public API (see the comment in pyproject).
INTERNALS_USED = {
    "node-semver": ("regexp", "replace_carets", "hyphen_replace"),
    # service/serving.py: our listening socket handed to granian's workers.
    "granian": ("MPServer._init_shared_socket", "SocketHolder"),
}


def _requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pattern = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)$")
    found = {}
    for requirement in project["dependencies"]:
        match = pattern.match(requirement)
        assert match, requirement
        found[match[1].lower()] = match[2].strip()
    return found


def _locked() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    return {
        name.lower(): version
        for name, version in (line.split("==", 1) for line in lines if "==" in line)
    }


def test_packages_used_through_internals_are_pinned_exactly() -> None:
    requirements, locked = _requirements(), _locked()
    for package, names in INTERNALS_USED.items():
        assert requirements[package] == f"=={locked[package]}", (package, names)


def test_the_pinned_node_semver_still_has_the_internals_we_use() -> None:
    import nodesemver

    for name in INTERNALS_USED["node-semver"]:
        assert hasattr(nodesemver, name), name


def test_the_pinned_granian_still_has_the_internals_we_use() -> None:
    """service.serving.GranianServer replaces how granian makes its socket: the method it
    overrides must still be the one `startup` calls, setting the attributes the workers read."""
    import inspect

    from granian._granian import SocketHolder
    from granian.server import common, mp

    startup = inspect.getsource(common.AbstractServer.startup)
    assert "self._init_shared_socket()" in startup
    spawn = inspect.getsource(mp.MPServer._spawn_worker)
    assert "(self._ssp, self._shd), self._sso" in spawn
    assert list(inspect.signature(SocketHolder).parameters) == ["fd", "uds", "backlog"]
