"""Build the packaged app and the tar.gz to hand out, and check them against the size budget.

    python release/package.py          build, then report and check the sizes
    python release/package.py --report only report and check an existing build

Run it in a virtual environment that holds the project, PyInstaller and no second Qt binding:
`make package` makes one. The result:

    dist/timeline-viewer/timeline-viewer              the app (one folder; start this file)
    dist/timeline-viewer/install.sh                   adds it to the user's application menu
    dist/timeline-viewer-<version>-linux-<arch>.tar.gz that folder, ready to hand out

Exits 1 if the folder or the tar.gz is over budget.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
APP_DIR = DIST / "timeline-viewer"
BINARY = APP_DIR / "timeline-viewer"

MB = 1_000_000
BUDGET_UNPACKED = 120 * MB
BUDGET_TARBALL = 45 * MB


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def tarball_path() -> Path:
    arch = platform.machine().lower() or "unknown"
    return DIST / f"timeline-viewer-{version()}-{sys.platform}-{arch}.tar.gz"


def build() -> None:
    """Run PyInstaller on build.spec, then add the desktop entry, the icons and install.sh."""
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN"]
    command += ["--distpath", str(DIST), "--workpath", str(ROOT / "build")]
    subprocess.run(
        [*command, str(ROOT / "build.spec")],
        check=True,
        cwd=ROOT,
    )
    icons = ROOT / "resources" / "icons"
    shutil.copy2(ROOT / "release" / "timeline-viewer.desktop", APP_DIR)
    shutil.copy2(ROOT / "release" / "install.sh", APP_DIR)
    shutil.copy2(ROOT / "release" / "timeline-viewer-mime.xml", APP_DIR)
    shutil.copy2(icons / "timeline-viewer-256.png", APP_DIR / "timeline-viewer.png")
    shutil.copy2(icons / "timeline-viewer.svg", APP_DIR / "timeline-viewer.svg")


def make_tarball() -> Path:
    """Pack the app folder as timeline-viewer/… with the files in a stable order."""
    out = tarball_path()
    tmp = out.with_name(out.name + ".part")

    def clean(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with tarfile.open(tmp, "w:gz", compresslevel=9) as tar:
        for path in sorted(APP_DIR.rglob("*")):
            tar.add(path, arcname=str(path.relative_to(DIST)), recursive=False, filter=clean)
    tmp.replace(out)
    return out


def sizes(app_dir: Path = APP_DIR, tarball: Path | None = None) -> dict:
    """Unpacked size, tar.gz size and the 10 largest files, in bytes."""
    files = [p for p in app_dir.rglob("*") if p.is_file() and not p.is_symlink()]
    largest = sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:10]
    tarball = tarball or tarball_path()
    return {
        "unpacked_bytes": sum(p.stat().st_size for p in files),
        "files": len(files),
        "tarball": tarball.name,
        "tarball_bytes": tarball.stat().st_size,
        "largest": [[str(p.relative_to(app_dir)), p.stat().st_size] for p in largest],
    }


def report(figures: dict) -> list[str]:
    """Print the sizes; returns the budget problems (none when within budget)."""
    print(
        f"unpacked: {figures['unpacked_bytes'] / MB:6.1f} MB in {figures['files']} files "
        f"(budget {BUDGET_UNPACKED / MB:.0f} MB)"
    )
    print(
        f"tar.gz:   {figures['tarball_bytes'] / MB:6.1f} MB  {figures['tarball']} "
        f"(budget {BUDGET_TARBALL / MB:.0f} MB)"
    )
    print("largest files:")
    for name, size in figures["largest"]:
        print(f"  {size / MB:6.1f} MB  {name}")
    problems = []
    if figures["unpacked_bytes"] > BUDGET_UNPACKED:
        problems.append(f"the app folder is {figures['unpacked_bytes'] / MB:.1f} MB, over budget")
    if figures["tarball_bytes"] > BUDGET_TARBALL:
        problems.append(f"the tar.gz is {figures['tarball_bytes'] / MB:.1f} MB, over budget")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", action="store_true", help="only report an existing build")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if not args.report:
        build()
        make_tarball()
    if not BINARY.is_file() or not tarball_path().is_file():
        print(f"package: no build in {DIST}; run without --report first", file=sys.stderr)
        return 1
    figures = sizes()
    problems = report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    for problem in problems:
        print(f"package: {problem}", file=sys.stderr)
    if not problems:
        print(f"package: OK; start it with {BINARY.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
