"""Before the window's QApplication exists: can Qt's X11 platform plugin load here?

PySide6's wheels bring Qt but not the X11 libraries its xcb plugin links against. On a clean Debian
or Ubuntu several are missing (libxcb-icccm4, libxcb-keysyms1, libxcb-cursor0, ...), and Qt then
aborts the process with "Could not load the Qt platform plugin 'xcb'", which names no package. Here
the plugin's dependencies are resolved by the system's dynamic loader (``ldd``) without importing
Qt, and a missing one becomes a paragraph naming the command that installs them, the same command
the README shows.

Only the xcb plugin is checked, and only when Qt would pick it (QT_QPA_PLATFORM unset or xcb on
Linux): offscreen, Wayland, macOS and Windows builds carry what they need.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

# The README's "System packages" section shows these same lines; tests/test_first_launch.py keeps
# the two in agreement.
APT_COMMAND = ("sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 "
               "libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 "
               "libxkbcommon-x11-0 libx11-xcb1 libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0")
DNF_COMMAND = ("sudo dnf install -y xcb-util-cursor xcb-util-image xcb-util-keysyms xcb-util-renderutil "
               "xcb-util-wm libxkbcommon-x11 mesa-libEGL mesa-libGL fontconfig dbus-libs")

# The Debian/Ubuntu package of each library the plugin needs that a minimal system may lack, so the
# message can say which of the line's packages is the one missing here.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0", "libX11-xcb.so.1": "libx11-xcb1", "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1", "libfontconfig.so.1": "libfontconfig1", "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0", "libxcb-util.so.1": "libxcb-util1",
}


def uses_xcb(environ=os.environ, platform: str = sys.platform) -> bool:
    """Would Qt load the xcb plugin? Only on Linux, and only if nothing else was asked for."""
    if not platform.startswith("linux"):
        return False
    asked = environ.get("QT_QPA_PLATFORM", "").strip()
    # "xcb;offscreen" style fallbacks still try xcb first.
    return not asked or asked.split(";")[0].split(":")[0] == "xcb"


def xcb_plugin() -> Path | None:
    """PySide6's libqxcb.so, found without importing PySide6 (None if PySide6 or the plugin is absent)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def missing_libraries(plugin: Path) -> list[str] | None:
    """The shared libraries ``plugin`` needs that the dynamic loader cannot find, in ldd's order.

    The plugin is loaded first (ctypes): where it loads, nothing is missing, and the libraries it
    pulled in are the ones Qt loads a moment later anyway, so the check costs almost nothing. Only a
    failed load asks ``ldd`` for every missing library. None when that cannot be told.
    """
    import ctypes

    try:
        ctypes.CDLL(str(plugin), mode=os.RTLD_LAZY)
        return []
    except OSError as exc:
        first = str(exc).split(":")[0].strip()  # "libxcb-icccm.so.4: cannot open shared object file"
    found = _ldd_missing(plugin)
    if found is None:
        return [first] if first.startswith("lib") and first != str(plugin) else None
    return found


def _ldd_missing(plugin: Path) -> list[str] | None:
    ldd = shutil.which("ldd")
    if ldd is None:
        return None
    try:
        done = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    missing: list[str] = []
    for line in done.stdout.splitlines():
        name, arrow, where = line.strip().partition("=>")
        if arrow and where.strip() == "not found" and name.strip() not in missing:
            missing.append(name.strip())
    if done.returncode != 0 and not missing:
        return None
    return missing


def message(missing: list[str]) -> str:
    """One paragraph: what is missing, and the command that installs it."""
    packages = sorted({DEBIAN_PACKAGES[name] for name in missing if name in DEBIAN_PACKAGES})
    which = f" (here: {', '.join(packages)})" if packages else ""
    return (f"hpgui cannot open its window: Qt's X11 platform plugin needs system libraries that are not "
            f"installed ({', '.join(missing)}). On Debian or Ubuntu install them with\n\n    {APT_COMMAND}\n\n"
            f"which includes the missing ones{which}; on Fedora: {DNF_COMMAND}. Then run hpgui again. "
            "`hpgui run SETUP.json` searches without a window in the meantime, and QT_QPA_PLATFORM=offscreen "
            "skips this check for a window nobody sees.")


def check(environ=os.environ, plugin: Path | None = None) -> str | None:
    """The message to print instead of starting Qt, or None when the window can be tried."""
    if not uses_xcb(environ):
        return None
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return None
    missing = missing_libraries(plugin)
    return message(missing) if missing else None
