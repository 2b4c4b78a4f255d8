"""Passwords at rest: whatever form a URL carries its password in, the settings file never holds it."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from hpgui.core import url_secrets

URLS = [
    # (what the user types, the password it holds)
    ("postgresql://ana@db.example/hp?password=pw-Query-1&sslmode=require", "pw-Query-1"),
    ("postgresql://ana@db.example/hp?sslmode=require&PWD=pw-Upper-2", "pw-Upper-2"),
    ("postgresql://ana:p%40ss%2Fw0rd-3@db.example:5432/hp", "p@ss/w0rd-3"),
    ("postgresql+psycopg2://ana:pw#with?odd@chars-4@db.example/hp", "pw#with?odd@chars-4"),
    ("mysql://bob:plain-pw-5@db.example/hp", "plain-pw-5"),
]


def forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote(secret)}


@pytest.mark.parametrize("typed, secret", URLS)
def test_the_storage_field_never_writes_a_password_to_the_settings_file(qtbot, typed, secret):
    from hpgui.gui.prefs import settings
    from hpgui.gui.storage_field import SETTINGS_KEY, StorageField, remember_storage

    field = StorageField()
    qtbot.addWidget(field)
    field.combo.setEditText(typed)
    opened = field.storage()
    # The URL the storage is opened with carries the password; the list and the label show none.
    assert url_secrets.split(opened)[1] == secret
    assert field.password.text() == secret
    assert not any(f in field.combo.currentText() for f in forms(secret))
    assert not any(f in field.label() for f in forms(secret))
    remember_storage(opened)
    s = settings()
    s.sync()
    text = open(s.fileName(), encoding="utf-8").read()
    assert not any(f in text for f in forms(secret)), text
    remembered = s.value(SETTINGS_KEY, [], type=list)[0]
    assert remembered == url_secrets.split(typed)[0]
    assert "db.example" in remembered and "ana@" in remembered or "bob@" in remembered
    # A new field lists the remembered URL; with the password typed again it opens the same database.
    again = StorageField()
    qtbot.addWidget(again)
    assert again.combo.findText(remembered) >= 0
    again.set_storage(remembered)
    again.password.setText(secret)
    assert url_secrets.split(again.storage()) == url_secrets.split(opened)


@pytest.mark.parametrize("typed, secret", URLS)
def test_every_message_path_masks_every_form(typed, secret):
    from hpgui.core.library import scrub as library_scrub, storage_label
    from hpgui.core.storage import open_storage  # noqa: F401 - the module that opens URLs imports the same rules

    message = f"could not connect to {typed}: password {secret} rejected ({quote(secret, safe='')})"
    for cleaned in (url_secrets.scrub(message, typed), library_scrub(message, typed), storage_label(typed),
                    url_secrets.mask(typed)):
        assert not any(f in cleaned for f in forms(secret)), cleaned
