"""The first launch on a system without Qt's X11 libraries: a message naming the command, not Qt's abort.

The plugin's libraries are hidden by copying PySide6's real libqxcb.so into a scratch Qt tree whose
copy asks for a library name no system has (same length, so the ELF stays valid); ``ldd`` then runs
on it for real, as it does on a user's machine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hpgui import cli, first_launch

README = Path(__file__).resolve().parents[1] / "README.md"
HIDDEN = b"libxcb-cursor.so.0\x00"
ABSENT = b"libxcb-cursor.so.7\x00"


@pytest.fixture
def hidden_plugin(tmp_path: Path) -> Path:
    real = first_launch.xcb_plugin()
    assert real is not None, "PySide6's xcb plugin should be installed with PySide6"
    if shutil.which("ldd") is None:
        pytest.fail("ldd (libc-bin) is part of every glibc system; the check relies on it")
    qt = real.parents[2]  # .../PySide6/Qt
    (tmp_path / "plugins" / "platforms").mkdir(parents=True)
    (tmp_path / "lib").symlink_to(qt / "lib")  # the plugin's RUNPATH, $ORIGIN/../../lib, still finds Qt
    data = real.read_bytes()
    assert HIDDEN in data
    copy = tmp_path / "plugins" / "platforms" / "libqxcb.so"
    copy.write_bytes(data.replace(HIDDEN, ABSENT))
    return copy


def test_hidden_library_is_found_missing(hidden_plugin):
    missing = first_launch.missing_libraries(hidden_plugin)
    assert missing is not None and "libxcb-cursor.so.7" in missing
    # Only what is really absent: Qt's own libraries resolve through the plugin's RUNPATH.
    assert not [name for name in missing if name.startswith("libQt6")]


def test_message_names_the_library_and_the_command(hidden_plugin):
    text = first_launch.check({}, plugin=hidden_plugin)
    assert text is not None
    assert "libxcb-cursor.so.7" in text
    assert first_launch.APT_COMMAND in text and first_launch.DNF_COMMAND in text
    assert "Traceback" not in text


def test_known_library_names_its_package():
    text = first_launch.message(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    assert "(here: libxcb-icccm4, libxcb-keysyms1)" in text


def test_window_command_prints_it_instead_of_starting_qt(hidden_plugin, monkeypatch, capsys):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(first_launch, "xcb_plugin", lambda: hidden_plugin)
    import hpgui.gui.app as app

    def no_qt(*_args, **_kwargs):
        raise AssertionError("the QApplication must not be created when the plugin cannot load")

    monkeypatch.setattr(app, "run_app", no_qt)
    assert cli.main([]) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert "hpgui cannot open its window" in err and first_launch.APT_COMMAND in err


@pytest.mark.parametrize("value, expected", [(None, True), ("xcb", True), ("xcb;offscreen", True),
                                             ("offscreen", False), ("wayland", False), ("minimal", False)])
def test_only_where_qt_would_load_xcb(value, expected):
    environ = {} if value is None else {"QT_QPA_PLATFORM": value}
    assert first_launch.uses_xcb(environ, platform="linux") is expected
    assert first_launch.uses_xcb(environ, platform="darwin") is False


def test_offscreen_skips_the_check(hidden_plugin):
    assert first_launch.check({"QT_QPA_PLATFORM": "offscreen"}, plugin=hidden_plugin) is None


def test_readme_shows_the_same_commands():
    text = README.read_text(encoding="utf-8")
    assert first_launch.APT_COMMAND in text
    assert first_launch.DNF_COMMAND in text
