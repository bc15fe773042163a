#!/bin/sh
# Adds Timeline Viewer to the current user's application menu, without root:
#   ./install.sh            (run from the unpacked timeline-viewer folder)
#   ./install.sh --remove   (takes the menu entry, icons and file type away again)
# The app itself stays where it was unpacked; the menu entry points at it. It opens our own file
# type (application/x-timeline-viewer+json: *.timeline.json, or JSON starting with our version
# field), never every JSON file.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
entry="$data/applications/timeline-viewer.desktop"
icons="$data/icons/hicolor"
mime="$data/mime"

# The file type takes effect once the user's MIME database is rebuilt (when the tool is there).
update_mime() {
  if command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database "$mime" || true
  fi
}

if [ "${1:-}" = "--remove" ]; then
  rm -f "$entry" "$icons/256x256/apps/timeline-viewer.png" "$icons/scalable/apps/timeline-viewer.svg"
  if [ -f "$mime/packages/timeline-viewer.xml" ]; then
    rm -f "$mime/packages/timeline-viewer.xml"
    update_mime
  fi
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data/applications" || true
  fi
  echo "Removed the Timeline Viewer menu entry."
  exit 0
fi

mkdir -p "$data/applications" "$icons/256x256/apps" "$icons/scalable/apps" "$mime/packages"
cp "$here/timeline-viewer.png" "$icons/256x256/apps/timeline-viewer.png"
cp "$here/timeline-viewer.svg" "$icons/scalable/apps/timeline-viewer.svg"
cp "$here/timeline-viewer-mime.xml" "$mime/packages/timeline-viewer.xml"
update_mime
# The menu entry names the binary by its full path: the unpacked folder is not on PATH.
sed -e "s|^Exec=.*|Exec=\"$here/timeline-viewer\" %f|" -e "s|^TryExec=.*|TryExec=$here/timeline-viewer|" \
  "$here/timeline-viewer.desktop" > "$entry.tmp"
mv "$entry.tmp" "$entry"
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q "$data/applications" || true
fi
echo "Added Timeline Viewer to the application menu ($entry)."
