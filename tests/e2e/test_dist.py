"""The built Linux bundle (dist/omni-clerk/, from `make dist`) runs on its own.

Skipped with a reason when the bundle has not been built. Every run uses a private
CLERK_HOME and the offscreen Qt platform; nothing here touches the real home directory.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

import clerk
from clerk.shared import barcodes

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist" / "omni-clerk"
BIN = DIST / "omni-clerk"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not BIN.exists(),
        reason=f"{BIN.relative_to(ROOT)} is absent: build it with `make dist` "
        "(scripts/build_dist.sh)",
    ),
]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(CLERK_HOME=str(home), QT_QPA_PLATFORM="offscreen", LC_ALL="C.UTF-8")
    env.update(extra)
    return env


def _run(
    args: list[str], home: Path, timeout: float = 60, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args],
        env=_env(home, **extra),
        cwd=home.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_version(tmp_path: Path) -> None:
    proc = _run(["--version"], tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"omni-clerk {clerk.__version__}"


def test_config_round_trip(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _run(["config", "set", "language", "en"], home).returncode == 0
    listed = _run(["config", "list"], home)
    assert listed.returncode == 0, listed.stderr
    assert "hub_url" in listed.stdout and "idle_lock_minutes" in listed.stdout
    got = _run(["config", "get", "language"], home)
    assert got.stdout.strip() == "en"
    bad = _run(["config", "set", "layout", "sideways"], home)
    assert bad.returncode == 2 and "must be one of" in bad.stderr


def test_bundled_decoders_read_a_card(tmp_path: Path) -> None:
    assert (DIST / "_internal" / "libzbar.so.0").exists()
    card = tmp_path / "card.png"
    barcodes.card_code128_png("6200000000000019", card)
    for backend in ("zxing", "pyzbar"):
        proc = _run(["decode", "--backend", backend, str(card)], tmp_path / "home")
        assert proc.returncode == 0, proc.stderr
        assert '"text": "6200000000000019"' in proc.stdout, (backend, proc.stdout)


def test_the_name_search_has_its_pinyin_table() -> None:
    """clerk/search_terms.py reads pypinyin's table of characters as a data file: it ships."""
    table = DIST / "_internal" / "pypinyin" / "pinyin_dict.json"
    assert table.is_file() and table.stat().st_size > 500_000


@pytest.mark.parametrize("view", ["customer", "search", "dashboard", "settings"])
def test_demo_screenshot_is_a_real_picture(tmp_path: Path, view: str) -> None:
    """Each view from the bundle: the customer (the associate's), the search (the members
    indexed by name through pypinyin's table as the demo syncs), the dashboard (QtCharts, which
    the UI loads by name) and settings (the camera list: QtMultimedia)."""
    home = tmp_path / "home"
    shot = tmp_path / "shot.png"
    proc = _run(
        [
            *("demo", "--screenshot", str(shot), "--view", view),
            *("--exit-after", "20", "--members", "60"),
        ],
        home,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    with Image.open(shot) as img:
        rgb = img.convert("RGB")
        assert rgb.width >= 320 and rgb.height >= 320
        colours = rgb.getcolors(maxcolors=1 << 20)
        assert colours is None or len(colours) > 16, "the screenshot is (nearly) blank"
        assert max(ImageStat.Stat(rgb).stddev) > 10.0


def test_install_sh_installs_and_removes_per_user(tmp_path: Path) -> None:
    home = tmp_path / "user"
    home.mkdir()
    env = {**_env(home / "data"), "HOME": str(home), "PATH": "/usr/bin:/bin"}
    env.pop("XDG_DATA_HOME", None)
    script = DIST / "install.sh"
    done = subprocess.run(
        ["bash", str(script), "--user"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    app = home / ".local" / "lib" / "omni-clerk" / "omni-clerk"
    desktop = home / ".local" / "share" / "applications" / "omni-clerk.desktop"
    assert (home / ".local" / "bin" / "omni-clerk").resolve() == app.resolve()
    assert f"Exec={app} %U" in desktop.read_text(encoding="utf-8")
    assert (home / ".local/share/icons/hicolor/scalable/apps/omni-clerk.svg").exists()
    version = subprocess.run(
        [str(home / ".local" / "bin" / "omni-clerk"), "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert version.stdout.strip() == f"omni-clerk {clerk.__version__}"

    gone = subprocess.run(
        ["bash", str(script), "--user", "--uninstall"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert gone.returncode == 0, gone.stderr
    assert not app.exists() and not desktop.exists()
    assert not (home / ".local" / "bin" / "omni-clerk").is_symlink()
