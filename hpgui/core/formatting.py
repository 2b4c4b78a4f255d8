"""Numbers as hpgui writes them, and the one test of what counts as a number.

Two ways of writing a number serve two purposes: :func:`format_number` is compact for reading (axis
ticks, tables, tooltips: 0.01235, 10⁻⁶), :func:`exact_number` reads back as exactly the same value (a
form field the user edits: 1e-06, 0.1). The window and the core both use these, so a value is
written the same way everywhere.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")


def is_number(value: Any) -> bool:
    """A finite real number (numpy's too), not a bool."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return False
    return isinstance(value, numbers.Real) and math.isfinite(float(value))


def format_number(value: Any, digits: int = 4) -> str:
    """A compact, exponent-free (where sensible) text for a number; anything else as ``str``."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return str(v)
    a = abs(v)
    if a == 0:
        return "0"
    if 1e-3 <= a < 10 ** digits:
        return f"{v:.{digits}g}"
    if 10 ** digits <= a < 1e7:
        return f"{v:.0f}"
    mantissa, exponent = f"{v:.{max(1, digits - 2)}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPT)
    return power if mantissa == "1" else f"{mantissa}·{power}"


def format_param(value: Any) -> str:
    """A hyperparameter value, short and still typeable: 12.35, 0.0001235, 1e-06, 12346, rbf, None."""
    if isinstance(value, float) and math.isfinite(value):
        if 1e4 <= abs(value) < 1e7:
            return f"{value:.0f}"
        return f"{value:.4g}"
    return format_number(value)


def exact_number(value: Any) -> str:
    """The shortest text that reads back as exactly ``value``: 0.0001, 1000, 1e-6, 2.5."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return repr(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def score_decimals(value: float) -> int:
    """Decimals that show a score to about four significant digits (at most 4, at least 0)."""
    a = abs(value)
    if a < 1:
        return 4
    return max(0, 4 - (int(math.floor(math.log10(a))) + 1) + 1) if a < 1e4 else 0


def format_score(value: float | None, std: float | None = None) -> str:
    """``0.9812 ± 0.0123``: the score, and its spread over folds with the same decimals."""
    if value is None:
        return "—"
    v = float(value)
    if not math.isfinite(v) or (v != 0 and (abs(v) < 1e-4 or abs(v) >= 1e7)):
        text = format_number(v)
        return text if std is None else f"{text} ± {format_number(std)}"
    d = score_decimals(v)
    text = f"{v:.{d}f}"
    if std is not None and math.isfinite(std):
        text += f" ± {float(std):.{d}f}"
    return text


def clock(seconds: float) -> str:
    """12:05, or 1:02:03 past an hour."""
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def human_size(size: int | None) -> str:
    """1536 -> '1.5 KB'; None -> ''."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"  # pragma: no cover


def capped_list(items, limit: int = 8, sep: str = ", ") -> str:
    """``items`` joined, at most ``limit`` of them, the rest counted: "'a', 'b' … and 9,390 more".

    Every list in a message goes through here: a file with thousands of one-row classes or odd
    columns would otherwise make one message taller than the window.
    """
    items = [str(item) for item in items]
    if len(items) <= limit:
        return sep.join(items)
    return f"{sep.join(items[:limit])} … and {len(items) - limit:,} more"
