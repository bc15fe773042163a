"""The set-up step, .ci/system-deps, run for real with apt, dpkg and sudo replaced by stubs that
record what they were asked: on a stock Debian it installs python3-venv and the app's libraries,
goes through sudo when not root, and waits for another apt rather than failing at once."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / ".ci" / "system-deps"
LOCKED = "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)"

STUBS = {
    # Installed packages are the words of $INSTALLED.
    "dpkg-query": 'for p in $INSTALLED; do [ "$p" = "${@: -1}" ] && echo -n "install ok installed"'
    " && exit 0; done; exit 1",
    "id": 'echo "$UID_IS"',
    "sudo": 'echo "sudo $*" >> "$LOG"; exec "$@"',
    "sleep": 'echo "sleep $*" >> "$LOG"',
    # `update` fails with apt's lock message $LOCKED_TIMES times, or with $UPDATE_FAILS.
    "apt-get": """echo "apt-get DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> "$LOG"
if [[ " $* " == *" update "* ]]; then
  n=$(cat "$COUNT" 2>/dev/null || echo 0); echo $((n + 1)) > "$COUNT"
  if [ -n "${UPDATE_FAILS:-}" ]; then echo "$UPDATE_FAILS" >&2; exit 100; fi
  if [ "$n" -lt "${LOCKED_TIMES:-0}" ]; then echo "$LOCKED" >&2; exit 100; fi
fi
exit 0""",
}


def packages_file() -> list[str]:
    lines = (REPO / "release" / "debian-runtime-packages").read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def run_script(tmp_path: Path, *, root: bool, installed: str = "", sudo: bool = True, **extra):
    """Run .ci/system-deps with only the stubs and a few real tools on PATH; returns the result
    and the commands the stubs recorded."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("grep", "env", "dirname", "cat"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    for name, body in STUBS.items():
        if name == "sudo" and not sudo:
            continue
        stub = bin_dir / name
        stub.write_text(f"#!{shutil.which('bash')}\n{body}\n", "utf-8")
        stub.chmod(0o755)
    log = tmp_path / "log"
    env = {
        "PATH": str(bin_dir),
        "LOG": str(log),
        "COUNT": str(tmp_path / "count"),
        "UID_IS": "0" if root else "1000",
        "INSTALLED": installed,
        "LOCKED": LOCKED,
        **extra,
    }
    done = subprocess.run(
        [shutil.which("bash"), str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60
    )
    calls = log.read_text("utf-8").splitlines() if log.exists() else []
    return done, calls


def test_the_script_is_valid_bash():
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)


def test_nothing_is_installed_when_everything_is_there(tmp_path):
    tools = ["xvfb", "xauth", "binutils", "imagemagick", "x11-utils", "desktop-file-utils"]
    everything = " ".join(["python3-venv", *packages_file(), *tools])
    done, calls = run_script(tmp_path, root=False, installed=everything)
    assert done.returncode == 0, done.stderr
    assert calls == []


def test_a_stock_debian_gets_venv_and_the_libraries_through_sudo(tmp_path):
    done, calls = run_script(tmp_path, root=False, installed="xvfb")
    assert done.returncode == 0, done.stderr
    apt = [c for c in calls if c.startswith("apt-get")]
    sudo = [c for c in calls if c.startswith("sudo")]
    assert len(apt) == len(sudo) == 2
    for call in sudo:
        assert call.startswith("sudo env DEBIAN_FRONTEND=noninteractive LC_ALL=C apt-get ")
    update, install = apt
    for call in apt:
        # sudo keeps DEBIAN_FRONTEND because it goes through env; both wait for dpkg's lock.
        assert call.startswith("apt-get DEBIAN_FRONTEND=noninteractive -o DPkg::Lock::Timeout=600 ")
    assert update.endswith(" update -qq")
    words = install.split()
    assert "python3-venv" in words and "libxcb-cursor0" in words and "fonts-dejavu-core" in words
    assert "xvfb" not in words  # already installed
    assert set(packages_file()) <= set(words)


def test_as_root_apt_runs_without_sudo(tmp_path):
    done, calls = run_script(tmp_path, root=True, sudo=False)
    assert done.returncode == 0, done.stderr
    assert next(c for c in calls if c.startswith("apt-get")).endswith(" update -qq")
    assert not [c for c in calls if c.startswith("sudo")]


def test_update_waits_while_another_apt_holds_the_lists(tmp_path):
    done, calls = run_script(tmp_path, root=True, LOCKED_TIMES="3")
    assert done.returncode == 0, done.stderr
    assert calls.count("sleep 5") == 3
    assert [c.split()[-1] for c in calls if c.startswith("apt-get")] == ["-qq"] * 4 + [
        "desktop-file-utils"
    ]
    assert "Waiting for another apt to finish" in done.stdout


def test_update_failing_for_another_reason_fails_at_once(tmp_path):
    done, calls = run_script(tmp_path, root=True, UPDATE_FAILS="E: Failed to fetch http://deb")
    assert done.returncode != 0
    assert "Failed to fetch" in done.stderr
    assert not [c for c in calls if c.startswith("sleep")]
    assert not [c for c in calls if c.endswith("desktop-file-utils")]  # no install


def test_without_root_or_sudo_it_says_what_to_do(tmp_path):
    done, calls = run_script(tmp_path, root=False, sudo=False)
    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    assert line.startswith("system-deps: installing python3-venv ") and "needs root" in line
    assert calls == []
