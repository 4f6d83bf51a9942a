"""PlanGraph as a real package: the wheel carries the rules and the bundled plan, installs under
the one name `plangraph`, and works outside the checkout.

The wheel is built from a copy of the sources (nothing written into the checkout) and installed
into a fresh virtualenv by pip, without its dependencies; the fresh environment reads those (spaCy,
jieba …) from the test's own environment through a .pth line, which adds their folder to the
path after the fresh site-packages, so `plangraph` itself can only come from the wheel.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds a wheel and a virtualenv: in `make test`, not `make test-fast`

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "plangraph", "ingest", "graph", "app", "data")


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(src)],
        cwd=src)
    return next(out.glob("plangraph-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel installed: its bin/ folder."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    site = Path(run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=env_dir)
                .stdout.strip())
    # this environment's pip installs into the fresh one (it has no pip of its own), offline
    run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        cwd=env_dir)
    assert (env_dir / "bin" / "plangraph").is_file()  # the console script, from the wheel's entry points
    (site / "zz_plangraph_test_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return env_dir / "bin"


def test_the_wheel_holds_one_top_level_name_and_the_rules(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"plangraph"}
    for needed in ("plangraph/data/role_words.tsv", "plangraph/data/law_titles.tsv",
                   "plangraph/data/jieba_user_dict.txt", "plangraph/data/changde_fazhi_2021-2025.txt",
                   "plangraph/ingest/clauses.py", "plangraph/graph/embedded.py", "plangraph/app/Home.py",
                   "plangraph/app/pages/gaps.py", "plangraph/app/static/vis-network.min.js",
                   "plangraph/app/static/vis-network.min.css"):
        assert needed in names, needed


def test_installed_plangraph_extracts_ingests_and_answers_outside_the_checkout(installed, tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    plan = work / "方案.txt"
    plan.write_text("某市数字政府建设工作方案\n一、重点任务\n（一）完善政务服务平台。（牵头单位：市政务服务中心；"
                    "配合单位：市发展改革委、市财政局；2023年底前完成）\n（二）推进数据共享。（市有关部门负责）\n",
                    encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PLANGRAPH_DATA")}
    env["PLANGRAPH_HOME"] = str(tmp_path / "home")
    where = run([str(installed / "python"), "-c", "import plangraph.ingest.resources as r, plangraph; "
                 "print(plangraph.__file__); print(r.DATA_DIR)"], cwd=work, env=env).stdout.split("\n")
    assert not where[0].startswith(str(ROOT)) and not where[1].startswith(str(ROOT))

    extracted = json.loads(run([str(installed / "plangraph"), "extract", str(plan), "--format", "json"],
                               cwd=work, env=env).stdout)
    first = next(t for t in extracted["tasks"] if t["id"] == "1.1")
    roles = {(a["unit"], a["role"]) for a in first["assignments"]}
    assert roles == {("市政务服务中心", "lead"), ("市发展改革委", "participant"), ("市财政局", "participant")}

    run([str(installed / "plangraph"), "ingest", str(plan)], cwd=work, env=env)
    gaps = run([str(installed / "plangraph"), "gaps", "--kind", "no_lead", "--format", "json"], cwd=work, env=env)
    no_lead = {t["task_id"] for t in json.loads(gaps.stdout)["no_lead"]}
    assert no_lead == {"1.2"}
