"""Screenshots of the Lineage view: a population-based-training study in the real window, offscreen.

    python -m hpgui.tools.lineage_shots [--out docs/images]
    python -m hpgui.tools.lineage_shots --study NAME [--storage URL | --journal FILE]   # a real study

Without ``--study`` it makes up a population of 8 members over 6 rounds of an MLP's
learning_rate_init, alpha and batch_size (its trials written through Optuna with the ``hpgui:pbt``
attribute, exactly as the engine writes them, then read back as any stored study's), with the
bottom members copying the top ones after rounds 1 and 3. It writes pbt-lineage.png (the view),
pbt-lineage-window-1366x768.png and pbt-lineage-window-1920x1080.png (the whole window).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path

from hpgui.tools._offscreen import settle, show_window, start_app

SIZES = ((1366, 768), (1920, 1080))
SPACE = {"learning_rate_init": ("float", 1e-4, 1e-1, True), "alpha": ("float", 1e-6, 1e-2, True),
         "batch_size": ("int", 16, 256, True)}


def _quality(params: dict) -> float:
    """How good a configuration is once trained (the fabricated population's hidden optimum)."""
    lr = math.log10(params["learning_rate_init"])
    alpha = math.log10(params["alpha"])
    batch = math.log2(params["batch_size"])
    return max(0.35, 0.975 - 0.12 * (lr + 2.4) ** 2 - 0.01 * (alpha + 4.0) ** 2 - 0.01 * (batch - 5.5) ** 2)


def fabricate(study, members: int = 8, rounds: int = 6, units: int = 10, seed: int = 3,
              exploit_after: tuple[int, ...] = (1, 3)) -> None:
    """Add a made-up population to an Optuna ``study``: trials numbered round by round, PBT_ATTR filled."""
    import optuna
    from optuna.distributions import FloatDistribution, IntDistribution
    from optuna.trial import TrialState, create_trial

    from hpgui.core.records import PBT_ATTR, TRIAL_ATTR

    rng = random.Random(seed)
    distributions = {name: (FloatDistribution(low, high, log=log) if kind == "float"
                            else IntDistribution(low, high, log=log))
                     for name, (kind, low, high, log) in SPACE.items()}

    def draw(name):
        kind, low, high, _ = SPACE[name]
        value = 10 ** rng.uniform(math.log10(low), math.log10(high))
        return int(round(value)) if kind == "int" else value

    def explore(params):
        out = {}
        for name, value in params.items():
            kind, low, high, _ = SPACE[name]
            value = min(max(value * rng.choice((0.8, 1.2)), low), high)
            out[name] = int(round(value)) if kind == "int" else value
        return out

    # Per member: (trial number, params, schedule, level reached); level grows towards the quality.
    state: dict[int, tuple[int, dict, list, float]] = {}
    number = 0
    for rnd in range(rounds):
        latest = sorted(state.items(), key=lambda kv: kv[1][3])
        bottom = {m for m, _ in latest[:max(1, members // 4)]} if rnd - 1 in exploit_after else set()
        top = [m for m, _ in latest[-max(1, members // 4):]]
        new_state = {}
        for member in range(members):
            if rnd == 0:
                params = {name: draw(name) for name in SPACE}
                parent, exploited, schedule, level = None, False, [[0, dict(params)]], 0.0
            elif member in bottom:
                donor = rng.choice(top)
                parent, donor_params, donor_schedule, level = state[donor]
                params, exploited = explore(donor_params), True
                schedule = donor_schedule + [[rnd * units, dict(params)]]
            else:
                parent, params, schedule, level = state[member]
                exploited = False
            # Each round closes a third of the gap to what this configuration can reach, plus noise.
            level = level + (_quality(params) - level) * 0.45 + rng.gauss(0, 0.004)
            info = {"member": member, "round": rnd, "parent": parent, "exploited": exploited,
                    "units": (rnd + 1) * units, "schedule": schedule}
            trial = create_trial(state=TrialState.COMPLETE, value=level, params=dict(params),
                                 distributions=distributions,
                                 user_attrs={PBT_ATTR: info, TRIAL_ATTR: {"std": 0.01, "model": "mlp"}})
            study.add_trial(trial)
            new_state[member] = (number, params, schedule, level)
            number += 1
        state = new_state
    optuna.logging.set_verbosity(optuna.logging.WARNING)


def _fabricated_on_screen(window) -> None:
    import optuna

    from hpgui.core.metrics import get_metric
    from hpgui.core.records import records_from_frozen
    from hpgui.core.session import StudyContext, StudyRef
    from hpgui.core.space import Hyperparameter

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", study_name="mlp-digits-pbt")
    fabricate(study)
    records = records_from_frozen(study.get_trials(deepcopy=False))
    space = {name: Hyperparameter(kind, low, high, log=log) for name, (kind, low, high, log) in SPACE.items()}
    window.pages.setCurrentWidget(window.main_splitter)
    window.session.show(StudyRef("mlp-digits-pbt"), StudyContext(tuple(space), space, get_metric("accuracy")),
                        records)


def _stored_on_screen(window, storage: str | None, name: str) -> bool:
    from hpgui.core.library import LibraryError, load_study

    try:
        loaded = load_study(storage, name)
    except LibraryError as exc:
        print(f"lineage_shots: {exc}", file=sys.stderr)
        return False
    window.studies.show(loaded, storage)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images")
    parser.add_argument("--study", help="a stored study to draw instead of the made-up population")
    parser.add_argument("--storage", help="its storage URL (default: the embedded journal storage)")
    parser.add_argument("--journal", help="its journal file (instead of --storage)")
    parser.add_argument("--param", help="the hyperparameter the lower chart draws (default: the first)")
    args = parser.parse_args(argv)
    if args.journal is not None:
        from hpgui.core.storage import file_storage_url

        if not Path(args.journal).is_file():  # opening a missing journal would create an empty one
            print(f"lineage_shots: the journal file {args.journal} is not there", file=sys.stderr)
            return 2

        args.storage = file_storage_url(args.journal)
    if args.study is None and args.storage is not None:
        parser.error("--storage and --journal need --study")
    if args.study is not None and args.storage is None:
        # The tool runs in a scratch data folder: name the user's own journal of the study first (without
        # making folders there, as finding the path through the storage module would).
        from hpgui.core.storage import file_storage_url
        from hpgui.core.storage import data_dir, safe_name

        journal = data_dir() / "studies" / f"{safe_name(args.study)}.journal"
        if not journal.is_file():
            print(f"lineage_shots: there is no study {args.study!r} in the default storage ({journal} is not "
                  "there); give its --journal FILE or --storage URL", file=sys.stderr)
            return 2
        args.storage = file_storage_url(journal)
    start_app()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    window = show_window(*SIZES[0])
    if args.study is None:
        _fabricated_on_screen(window)
    elif not _stored_on_screen(window, args.storage, args.study):
        window.close()
        return 2
    from hpgui.gui.views import LineageView

    view = window.view(LineageView)
    window.chart_tabs.setCurrentWidget(view)
    if args.param and not view.show_param(args.param):
        names = [view.param_combo.itemData(i) for i in range(view.param_combo.count())]
        print(f"lineage_shots: the study has no hyperparameter {args.param!r}; it has "
              f"{', '.join(names) or 'none'}", file=sys.stderr)
    written = []
    for width, height in SIZES:
        window.resize(width, height)
        settle(500)
        window.redraw()
        settle(300)
        name = f"pbt-lineage-window-{width}x{height}.png"
        window.grab().save(str(out / name))
        written.append(name)
        if (width, height) == SIZES[-1]:  # the view alone, at the size it has on a large screen
            view.grab().save(str(out / "pbt-lineage.png"))
            written.append("pbt-lineage.png")
    window.close()
    print(f"wrote {', '.join(written)} to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
