"""Drawing a population-based-training study's lineage, beside the History chart of the same study.

    python benchmarks/lineage_view.py [--quick]

For made-up populations (``hpgui.tools.lineage_shots.fabricate``: trials written through Optuna with
the ``hpgui:pbt`` attribute, the bottom quarter copying the top after every round, so schedules grow
a segment per exploit) it times, offscreen at 900x600, interleaved and as medians of five:

- ``core.lineage.lineage_of`` over every record,
- the Lineage view's first draw (refresh and one paint) and its redraw after one more trial arrives,
- the History chart's first draw and redraw of the same store, as the baseline a live search already pays.

``--quick`` runs the two smaller populations only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import environment_line, markdown_table, median, prepare_environment  # noqa: E402

prepare_environment("lineage")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

POPULATIONS = [(8, 6), (32, 20), (64, 50)]
REPEATS = 5


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)

    import optuna
    from PySide6.QtWidgets import QApplication

    from hpgui.core.lineage import lineage_of
    from hpgui.core.metrics import get_metric
    from hpgui.core.records import TrialRecord, records_from_frozen
    from hpgui.core.trials import TrialStore
    from hpgui.gui.views import HistoryChart, LineageView
    from hpgui.tools.lineage_shots import fabricate

    app = QApplication.instance() or QApplication([])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    metric = get_metric("accuracy")
    rows = []
    for members, rounds in POPULATIONS[:2] if args.quick else POPULATIONS:
        study = optuna.create_study(direction="maximize")
        fabricate(study, members=members, rounds=rounds, exploit_after=tuple(range(rounds)))
        records = records_from_frozen(study.get_trials(deepcopy=False))
        last = records[-1]
        times: dict[str, list[float]] = {k: [] for k in ("lineage_of", "lineage first", "lineage live",
                                                         "history first", "history live")}
        for _ in range(REPEATS):
            times["lineage_of"].append(_timed(lambda: lineage_of(records)))
            for name, cls in (("lineage", LineageView), ("history", HistoryChart)):
                store = TrialStore("maximize")
                store.add(records)
                view = cls()
                view.resize(900, 600)
                view.show()
                view.set_context({}, metric)

                def first():
                    view.refresh(store)
                    view.grab()

                times[f"{name} first"].append(_timed(first))
                store.add([TrialRecord(len(records), "running", None, dict(last.params),
                                       pbt=dict(last.pbt, round=rounds))])
                times[f"{name} live"].append(_timed(first))
                view.close()
                view.deleteLater()
                app.processEvents()
        m = {k: median(v) for k, v in times.items()}
        rows.append([f"{members} × {rounds}", f"{len(records):,}", f"{m['lineage_of'] * 1000:.0f} ms",
                     f"{m['lineage first'] * 1000:.0f} ms", f"{m['lineage live'] * 1000:.0f} ms",
                     f"{m['history live'] * 1000:.0f} ms", f"{m['lineage live'] / m['history live']:.1f}×"])
    print(environment_line())
    print()
    print(markdown_table(["members × rounds", "trials", "lineage_of", "Lineage first draw", "Lineage live redraw",
                          "History live redraw", "Lineage / History (live)"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
