"""The user's settings file, and the few paths it remembers: the last folder and recent files.

Settings live in named QSettings groups (window/, splitters/, view/, paths/), as friture keeps them.
Tests point QSettings at a scratch folder, so they never touch the real file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from ..core.readers import OTHER_SUFFIXES

MAX_RECENT = 8


def settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "hpgui", "hpgui")


def last_folder() -> str:
    return settings().value("paths/lastFolder", str(Path.home()), type=str)


def remember(path: Path) -> None:
    """The folder of a file the user opened, and the file itself among the recent ones."""
    s = settings()
    s.setValue("paths/lastFolder", str(path.parent))
    if path.suffix.lower() in (".csv", ".tsv", ".txt", ".json", *OTHER_SUFFIXES):
        recent = [p for p in s.value("paths/recent", [], type=list) if p != str(path)]
        s.setValue("paths/recent", [str(path), *recent][:MAX_RECENT])


def recent_files() -> list[str]:
    return list(settings().value("paths/recent", [], type=list))
