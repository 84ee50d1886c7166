"""deploy/compose.yaml builds what image-check.sh checked: the app services from the default
(runtime) stage, which holds no fake server, and the staging fake from its own stage."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.support.processes import ROOT


def services() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())["services"])


def stages() -> set[str]:
    dockerfile = (ROOT / "Dockerfile").read_text()
    return set(re.findall(r"^FROM \S+ AS (\S+)$", dockerfile, flags=re.M))


def test_the_staging_fake_is_built_from_its_own_stage() -> None:
    fake = services()["fake-gifq"]
    assert fake["build"]["target"] == "fake-gifq"
    assert "fake-gifq" in stages()
    assert fake["image"] != services()["app1"]["image"]
    assert fake["command"][:3] == ["python", "-m", "redeem.fake_gifq"]


def test_the_app_services_build_the_default_runtime_image() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    last_stage = re.findall(r"^FROM \S+ AS (\S+)$", dockerfile, flags=re.M)[-1]
    assert last_stage == "runtime"  # a build without --target makes the last stage
    for name, service in services().items():
        if "build" in service and name != "fake-gifq":
            assert "target" not in service["build"], name
