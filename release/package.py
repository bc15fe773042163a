"""Build the packaged app, the tar.gz and the .deb to hand out, and check the size budget.

    python release/package.py          build, then report and check the sizes
    python release/package.py --report only report and check an existing build

Run it in a virtual environment that holds the project, PyInstaller and no second Qt binding:
`make package` makes one. The result:

    dist/timeline-viewer/timeline-viewer              the app (one folder; start this file)
    dist/timeline-viewer/install.sh                   adds it to the user's application menu
    dist/timeline-viewer-<version>-linux-<arch>.tar.gz that folder, ready to hand out
    dist/timeline-viewer_<version>_<arch>.deb          the app for Debian and Ubuntu (where
                                                      dpkg-deb is there to build it)

The .deb installs the app in /opt/timeline-viewer, a launcher in /usr/bin, the menu entry, the
icons in the hicolor theme and our own file type, application/x-timeline-viewer+json.

Exits 1 if the folder or the tar.gz is over budget.
"""

from __future__ import annotations

import argparse
import json
import math
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

RELEASE = ROOT / "release"
ICONS = ROOT / "resources" / "icons"
MIME_TYPE = "application/x-timeline-viewer+json"
# What build() adds to the app folder for the tar.gz; the .deb puts them in /usr/share instead.
FOLDER_EXTRAS = (
    "install.sh",
    "timeline-viewer.desktop",
    "timeline-viewer.png",
    "timeline-viewer.svg",
    "timeline-viewer-mime.xml",
)
# The .deb's icon sizes: those of ours the hicolor theme has a folder for (it has no 1024).
DEB_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DEB_MAINTAINER = "Timeline Viewer maintainers <timeline-viewer@example.org>"

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
    shutil.copy2(RELEASE / "timeline-viewer.desktop", APP_DIR)
    shutil.copy2(RELEASE / "install.sh", APP_DIR)
    shutil.copy2(RELEASE / "timeline-viewer-mime.xml", APP_DIR)
    shutil.copy2(ICONS / "timeline-viewer-256.png", APP_DIR / "timeline-viewer.png")
    shutil.copy2(ICONS / "timeline-viewer.svg", APP_DIR / "timeline-viewer.svg")


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


def deb_architecture() -> str:
    """This machine's Debian architecture (amd64, arm64 …), as dpkg names it."""
    done = subprocess.run(
        ["dpkg", "--print-architecture"], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def deb_path() -> Path:
    return DIST / f"timeline-viewer_{version()}_{deb_architecture()}.deb"


def runtime_packages() -> list[str]:
    """The Debian packages the app needs at run time (release/debian-runtime-packages, which
    .ci/system-deps installs too)."""
    lines = (RELEASE / "debian-runtime-packages").read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


# After installing and after removing: the menu, the file type and the icons take effect once
# their caches are rebuilt. Debian's own triggers do it too where those packages are installed;
# on a machine without a desktop the tools are missing, and that is fine.
MAINTAINER_SCRIPT = """#!/bin/sh
set -e
case "$1" in
  {actions})
    if command -v update-mime-database >/dev/null 2>&1; then
      update-mime-database /usr/share/mime || true
    fi
    if command -v update-desktop-database >/dev/null 2>&1; then
      update-desktop-database -q /usr/share/applications || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
      gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    fi
    ;;
esac
exit 0
"""

DESCRIPTION = """\
viewer for timelines of sourced events
 Every event links to the exact passages of the source texts it rests on, and
 every date keeps the precision its source gives. Reads its own format and
 imports TimelineJS, Timeline Project, Timesketch, plaso and Aeon Timeline
 files; exports PNG, SVG and PDF.
"""

COPYRIGHT = """\
Timeline Viewer is under the MIT licence.

It bundles Python (Python Software Foundation licence), Qt and Qt for Python
(PySide6; LGPL-3, see /usr/share/common-licenses/LGPL-3) and the Python
packages whose licences are in /opt/timeline-viewer/_internal/*.dist-info.
"""


def _normalise_modes(root: Path) -> None:
    """Folders and programs 0755, other files 0644, whatever the build's umask left."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        executable = path.is_dir() or path.stat().st_mode & 0o111
        path.chmod(0o755 if executable else 0o644)


def make_deb() -> Path:
    """Pack the app folder as a Debian package with dpkg-deb: the app in /opt/timeline-viewer,
    a launcher in /usr/bin, the menu entry, the icons, our MIME type and the docs."""
    stage = ROOT / "build" / "deb"
    if stage.exists():
        shutil.rmtree(stage)
    opt = stage / "opt" / "timeline-viewer"
    shutil.copytree(
        APP_DIR,
        opt,
        symlinks=True,
        ignore=lambda d, _n: FOLDER_EXTRAS if Path(d) == APP_DIR else (),
    )
    share = stage / "usr" / "share"
    (stage / "usr" / "bin").mkdir(parents=True)
    # A link, not a script: the packaged app finds its bundle from its real path.
    (stage / "usr" / "bin" / "timeline-viewer").symlink_to("/opt/timeline-viewer/timeline-viewer")
    (share / "applications").mkdir(parents=True)
    shutil.copy2(RELEASE / "timeline-viewer.desktop", share / "applications")
    hicolor = share / "icons" / "hicolor"
    for size in DEB_ICON_SIZES:
        folder = hicolor / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True)
        shutil.copy2(ICONS / f"timeline-viewer-{size}.png", folder / "timeline-viewer.png")
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(ICONS / "timeline-viewer.svg", hicolor / "scalable" / "apps")
    (share / "mime" / "packages").mkdir(parents=True)
    shutil.copy2(RELEASE / "timeline-viewer-mime.xml", share / "mime/packages/timeline-viewer.xml")
    (share / "doc" / "timeline-viewer").mkdir(parents=True)
    (share / "doc" / "timeline-viewer" / "copyright").write_text(COPYRIGHT, "utf-8")
    _normalise_modes(stage)

    files = [p for p in stage.rglob("*") if p.is_file() and not p.is_symlink()]
    installed_kib = sum(math.ceil(p.stat().st_size / 1024) for p in files)
    control = {
        "Package": "timeline-viewer",
        "Version": version(),
        "Architecture": deb_architecture(),
        "Maintainer": DEB_MAINTAINER,
        "Installed-Size": str(installed_kib),
        "Depends": ", ".join(runtime_packages()),
        "Section": "utils",
        "Priority": "optional",
        "Description": DESCRIPTION.rstrip("\n"),
    }
    debian = stage / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(
        "".join(f"{key}: {value}\n" for key, value in control.items()), "utf-8"
    )
    for name, actions in (("postinst", "configure"), ("postrm", "remove|purge")):
        script = debian / name
        script.write_text(MAINTAINER_SCRIPT.format(actions=actions), "utf-8")
        script.chmod(0o755)

    out = deb_path()
    tmp = out.with_name(out.name + ".part")
    # Owned by root in the package, whoever builds it.
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", str(stage), str(tmp)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
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
        if shutil.which("dpkg-deb"):
            print(f"package: built {make_deb().relative_to(ROOT)}")
        else:
            print("package: no dpkg-deb here, so no .deb")
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
