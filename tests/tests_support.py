"""Paths shared by test modules (conftest fixtures cannot be imported by name)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "resources" / "examples"
