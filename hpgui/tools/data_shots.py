"""Write screenshots of a workbook in the Data tab and the validation choices in the Search tab.

    python -m hpgui.tools.data_shots [--out docs/images]

Builds a small clinic-visits workbook (a cover sheet, then a sheet whose header sits under two note
rows), opens it in the real window, picks the sheet, the weight, group and time-order columns and
date parts, and grabs the window at 1366x768 and 1600x1000: data-workbook-<size>.png and
validation-<size>.png. Run it under Xvfb with a window manager to see real window decorations.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from hpgui.tools._offscreen import settle, show_window, start_app, wait

SIZES = ((1366, 768), (1600, 1000))


def _workbook(folder: Path) -> Path:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    n = 240
    patient = np.repeat(np.arange(40), 6)
    frame = pd.DataFrame({
        "visit_id": [f"V{i:05d}" for i in range(n)],
        "patient": [f"P{p:03d}" for p in patient],
        "visit_date": pd.date_range("2023-01-02 08:00", periods=n, freq="37h"),
        "age": rng.integers(25, 80, size=n),
        "systolic_blood_pressure_mm_hg_at_admission": rng.normal(130, 15, size=n).round(0),
        "cholesterol": rng.normal(5.2, 1.0, size=n).round(2),
        "sample_weight": rng.uniform(0.5, 2.0, size=n).round(2),
        "readmitted": rng.choice(["no", "yes"], size=n, p=[0.9, 0.1]),
    })
    path = folder / "clinic-visits.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"About": ["Clinic visits, 2023-2024", "One row per visit"]}).to_excel(
            book, sheet_name="Cover", index=False)
        notes = pd.DataFrame([["Clinic visits (export of 2024-05-01)"] + [None] * (frame.shape[1] - 1),
                              [None] * frame.shape[1]])
        notes.to_excel(book, sheet_name="Visits", index=False, header=False)
        frame.to_excel(book, sheet_name="Visits", index=False, startrow=2)
    return path


def _choose(combo, value) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images", help="folder for the PNG files (default: %(default)s)")
    args = parser.parse_args(argv)
    start_app()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = _workbook(Path(tempfile.mkdtemp(prefix="hpgui-data-shots-")))
    window = show_window(*SIZES[0])
    window.opener.open_csv(path)
    wait(window.data_panel.datasetLoaded, 60_000)
    panel = window.data_panel
    _choose(panel.sheetBar.sheetCombo, "Visits")
    wait(panel.datasetLoaded, 60_000)
    panel.set_target("readmitted")
    roles = panel.rolesBox
    _choose(roles.combos["weight"], "sample_weight")
    _choose(roles.combos["group"], "patient")
    roles.set_date_parts("visit_date", ["month", "day_of_week", "hour"])
    search = window.search_panel
    search.method_combo.setCurrentIndex(search.method_combo.findData("stratified_group_kfold"))
    for width, height in SIZES:
        window.resize(width, height)
        window.setup_tabs.setCurrentIndex(0)
        window.validate()
        settle(500)
        window.grab().save(str(out / f"data-workbook-{width}.png"))
        window.setup_tabs.setCurrentIndex(2)
        settle(500)
        window.grab().save(str(out / f"validation-{width}.png"))
    print(f"window {window.width()}x{window.height()} at the last size; problems: {window.problems}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
