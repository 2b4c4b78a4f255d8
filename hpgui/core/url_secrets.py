"""The secrets in storage URLs: split them off, mask them, scrub them from text, put them back.

A database URL can carry a password in two places: the user part
(``postgresql://ana:pw@db/hp``, often percent-encoded) and a query parameter
(``?password=pw``, which libpq and SQLAlchemy also accept). Every caller that
remembers, shows or quotes a URL goes through this module, so one set of rules
decides what a secret is (optuna-dashboard keeps the same job in one module,
``_storage_url.py``).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode

MASK = "***"
#: Query parameter names that hold a password (libpq's ``password``, and the spellings drivers accept).
PASSWORD_KEYS = ("password", "passwd", "pwd")

_QUERY_PASSWORD = re.compile(r"([?&](?:password|passwd|pwd)=)[^&#\s]*", re.IGNORECASE)
# Any URL's "user:password@" in free text (a driver's message, a traceback).
_USERINFO_PASSWORD = re.compile(r"(\w[\w+.-]*://[^:/@\s]+):[^@\s]+@")


class UrlSecretError(ValueError):
    """A password cannot be put into this URL (it names no user)."""


def _authority(url: str) -> tuple[str, str, str, str] | None:
    """``scheme://userinfo@host/rest`` -> (scheme, userinfo, host, rest), or None without a userinfo.

    Found from the last ``@`` of the authority rather than by ``urlsplit``, so a password holding
    an unencoded ``/``, ``?``, ``#`` or ``@`` is still taken whole.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return None
    at = rest.rfind("@")
    if at < 0:
        return None
    userinfo, after = rest[:at], rest[at + 1:]
    user = userinfo.split(":", 1)[0]
    if any(c in user for c in "/?#"):  # the "@" is in a path or query, not after a user
        return None
    cut = min([i for i in (after.find("/"), after.find("?"), after.find("#")) if i >= 0], default=len(after))
    return scheme, userinfo, after[:cut], after[cut:]


def _split_query(rest: str) -> tuple[str, list[str]]:
    """The path part with password query parameters taken out, and those passwords (decoded)."""
    path, q, query = rest.partition("?")
    if not q:
        return rest, []
    query, h, fragment = query.partition("#")
    kept, secrets = [], []
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.lower() in PASSWORD_KEYS:
            if value:
                secrets.append(value)
        else:
            kept.append((key, value))
    text = path + ("?" + urlencode(kept, safe=":/@,") if kept else "")
    return text + (h + fragment if h else ""), secrets


def split(url: str) -> tuple[str, str | None]:
    """``postgresql://ana:pw@db/hp?password=x`` -> (``postgresql://ana@db/hp``, ``pw``): a URL safe to keep.

    The password comes back decoded; a query password counts when the user part has none.
    """
    if not url:
        return url, None
    parts = _authority(url)
    if parts is None:
        scheme, sep, rest = url.partition("://")
        if not sep:
            return url, None
        rest, query_secrets = _split_query(rest)
        return f"{scheme}://{rest}", (query_secrets[0] if query_secrets else None)
    scheme, userinfo, host, rest = parts
    user, colon, password = userinfo.partition(":")
    rest, query_secrets = _split_query(rest)
    secret = unquote(password) if colon and password else (query_secrets[0] if query_secrets else None)
    return f"{scheme}://{user}@{host}{rest}", secret


def join(url: str, password: str | None) -> str:
    """``url`` with ``password`` (quoted) in its user part; a password already in ``url`` gives way."""
    if not password:
        return url
    bare, _ = split(url)
    parts = _authority(bare)
    if parts is None or not parts[1]:
        raise UrlSecretError(f"{mask(url)} names no user, so a password cannot go with it; "
                             "write it as scheme://user@host/database")
    scheme, user, host, rest = parts
    return f"{scheme}://{user}:{quote(password, safe='')}@{host}{rest}"


def mask(url: str | None) -> str:
    """``postgresql://ana:pw@db/hp?password=x`` -> ``postgresql://ana:***@db/hp?password=***``: for showing."""
    if not url:
        return ""
    text = _QUERY_PASSWORD.sub(r"\1" + MASK, url)
    parts = _authority(text)
    if parts is None:
        return text
    scheme, userinfo, host, rest = parts
    user, colon, password = userinfo.partition(":")
    return f"{scheme}://{user}:{MASK}@{host}{rest}" if colon and password else text


def secrets_of(url: str | None) -> list[str]:
    """Every password ``url`` holds, each in the forms a message may quote it (plain, decoded, encoded)."""
    if not url:
        return []
    found: list[str] = []
    parts = _authority(url)
    if parts is not None and ":" in parts[1]:
        found.append(parts[1].split(":", 1)[1])
    found += [m.group(0).split("=", 1)[1] for m in _QUERY_PASSWORD.finditer(url)]
    forms: set[str] = set()
    for secret in filter(None, found):
        forms |= {secret, unquote(secret), quote(unquote(secret), safe=""), quote(secret, safe="")}
    # Longest first, so a secret that contains another is replaced whole.
    return sorted(filter(None, forms), key=len, reverse=True)


def scrub(text: str, url: str | None = None) -> str:
    """``text`` with ``url``'s passwords (in any form) and every URL password in it replaced by ***.

    For messages and tracebacks that may quote a storage URL or a driver's error.
    """
    for secret in secrets_of(url):
        text = text.replace(secret, MASK)
    text = _QUERY_PASSWORD.sub(r"\1" + MASK, text)
    return _USERINFO_PASSWORD.sub(r"\1:" + MASK + "@", text)
