"""URL secrets: one set of rules for splitting, joining, masking and scrubbing passwords."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given, settings, strategies as st

from hpgui.core.url_secrets import UrlSecretError, join, mask, scrub, split

BARE = "postgresql://ana@db.example:5432/hp?sslmode=require"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=24))
def test_any_password_survives_a_join_and_split_and_never_shows(tail):
    password = "§" + tail  # (a marker, so the password cannot be a piece of the URL's own text)
    url = join(BARE, password)
    assert split(url) == (BARE, password)
    for shown in (mask(url), scrub(f"failed: {url} ({password})", url)):
        assert password not in shown and quote(password, safe="") not in shown


@pytest.mark.parametrize("url, bare, password", [
    ("postgresql://ana:pw@db/hp", "postgresql://ana@db/hp", "pw"),
    ("postgresql://ana:p%40ss%2Fw@db/hp", "postgresql://ana@db/hp", "p@ss/w"),
    ("postgresql://ana@db/hp?password=q-1&sslmode=require", "postgresql://ana@db/hp?sslmode=require", "q-1"),
    ("postgresql://db/hp?sslmode=require&pwd=q-2", "postgresql://db/hp?sslmode=require", "q-2"),
    ("postgresql://ana:p/w?x#y@db/hp", "postgresql://ana@db/hp", "p/w?x#y"),
    ("sqlite:////home/a@b/x.db", "sqlite:////home/a@b/x.db", None),
    ("journal:///tmp/s.journal", "journal:///tmp/s.journal", None),
])
def test_split_finds_the_password_wherever_the_url_holds_it(url, bare, password):
    assert split(url) == (bare, password)
    if password:
        assert password not in mask(url) and "***" in mask(url)


def test_a_password_needs_a_user_to_go_with():
    with pytest.raises(UrlSecretError, match="names no user"):
        join("postgresql://db/hp", "pw")
    assert join("postgresql://db/hp", "") == "postgresql://db/hp"
