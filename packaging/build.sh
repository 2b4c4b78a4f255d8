#!/usr/bin/env bash
# Build the one-folder Linux bundle: dist/hpgui/hpgui.
#
#   packaging/build.sh            # venv in build/venv, bundle in dist/hpgui
#   VENV=/tmp/v packaging/build.sh
#
# hpgui is installed from this checkout into a virtual environment of its own (not editable, without
# the gp extra), so the bundle holds exactly what a user's install holds and nothing from the
# developer's environment.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${VENV:-$root/build/venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "$root" "pyinstaller>=6.10"
# Same version number as an earlier build: reinstall so the bundle has the checkout as it is now.
"$venv/bin/pip" install --quiet --no-deps --force-reinstall "$root"
# The installed copy must be the one bundled, not a checkout on PYTHONPATH.
unset PYTHONPATH

cd "$root/packaging"
"$venv/bin/pyinstaller" --noconfirm --log-level WARN \
    --distpath "$root/dist" --workpath "$root/build/pyinstaller" hpgui.spec
cp io.github.hpgui.hpgui.desktop io.github.hpgui.hpgui.metainfo.xml "$root/dist/hpgui/"
echo "built $root/dist/hpgui ($(du -sh "$root/dist/hpgui" | cut -f1))"
