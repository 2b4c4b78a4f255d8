"""Population-based training: what each model honours mid-training, the planner's decisions, and real runs.

The runs are small (600 digits rows, 3 folds, 4 members, a few units a round) so the whole file stays
within seconds per test; what they check does not depend on the size.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

from hpgui.core.pbt import DONE, WAIT, Planner, Shape
from hpgui.core.pbt_train import PBT_MODELS, set_hyperparameters, train_units
from hpgui.core.records import PBT_ATTR
from hpgui.core.space import Hyperparameter

LOG = {"type": "float", "log": True}


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    # Histogram boosting's OpenMP threads spin against each other on a busy shared machine; one thread per
    # process (subprocesses and worker processes inherit it) keeps these small fits quick.
    from threadpoolctl import threadpool_limits

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    with threadpool_limits(1):
        yield


# -- what a model honours mid-training ------------------------------------------------------------

@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X[:600]), y[:600]


def _trained(model, X, y, units, method="partial_fit"):
    classes = np.unique(y) if hasattr(model, "classes_") or "Classifier" in type(model).__name__ else None
    train_units(model, X, y, None, 0, units, method, "max_iter", classes)
    return model, classes


def _weights(model):
    return np.concatenate([c.ravel() for c in model.coefs_]) if hasattr(model, "coefs_") else model.coef_.ravel().copy()


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_mlp_takes_a_new_learning_rate_into_its_live_optimiser(digits, solver):
    from sklearn.neural_network import MLPClassifier

    X, y = digits
    # sgd: momentum 0 as well, or the velocity it kept would move the weights on for a while.
    new = {"learning_rate_init": 1e-9, **({"momentum": 0.0} if solver == "sgd" else {})}

    def continued(change):
        model, classes = _trained(MLPClassifier((16,), solver=solver, learning_rate_init=0.05, random_state=0), X, y, 3)
        optimizer, before = model._optimizer, _weights(model).copy()
        change(model)
        train_units(model, X, y, None, 3, 3, "partial_fit", "max_iter", classes)
        return model, optimizer, np.abs(_weights(model) - before).max()

    model, optimizer, moved = continued(lambda m: set_hyperparameters(m, new))
    assert model._optimizer is optimizer  # kept: Adam's moments (or SGD's velocities) carry on
    assert optimizer.learning_rate_init == 1e-9
    assert moved < 1e-5
    # The same value set on the estimator alone is ignored by partial_fit: the weights move on as before.
    _, _, ignored = continued(lambda m: m.set_params(**new))
    assert ignored > 1e-3


def test_mlp_alpha_and_batch_size_apply_to_the_next_epochs(digits):
    from sklearn.neural_network import MLPClassifier

    X, y = digits

    def after(values):
        model, classes = _trained(MLPClassifier((16,), alpha=1e-6, learning_rate_init=0.05, random_state=0,
                                                batch_size=200), X, y, 2)
        steps = model._optimizer.t
        set_hyperparameters(model, values)
        train_units(model, X, y, None, 2, 2, "partial_fit", "max_iter", classes)
        return np.linalg.norm(_weights(model)), model._optimizer.t - steps

    small, steps_200 = after({"alpha": 1e-6})
    large, _ = after({"alpha": 5.0})
    assert large < 0.9 * small  # the heavy penalty shrank the weights at once (ignored, they would be equal)
    _, steps_50 = after({"batch_size": 50})
    assert steps_200 == 2 * 3 and steps_50 == 2 * 12  # batches per epoch follow the new size


@pytest.mark.parametrize("name,value,check", [("eta0", 1e-12, "frozen"), ("alpha", 10.0, "shrunk")])
def test_sgd_reads_eta0_and_alpha_on_every_partial_fit(digits, name, value, check):
    from sklearn.linear_model import SGDClassifier

    X, y = digits

    def after(values):
        model, classes = _trained(SGDClassifier(learning_rate="constant", eta0=0.01, alpha=1e-4, random_state=0),
                                  X, y, 3)
        before = _weights(model)
        set_hyperparameters(model, values)
        train_units(model, X, y, None, 3, 3, "partial_fit", "max_iter", classes)
        return before, _weights(model)

    before, changed = after({name: value})
    _, unchanged = after({})
    if check == "frozen":
        assert np.abs(changed - before).max() < 1e-6 < np.abs(unchanged - before).max()
    else:
        assert np.linalg.norm(changed) < 0.5 * np.linalg.norm(unchanged)


@pytest.mark.parametrize("values", [{"learning_rate": 1e-9}, {"l2_regularization": 1e12}])
def test_hist_gradient_boosting_grows_later_stages_with_the_new_values(digits, values):
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = digits

    def after(change):
        model = HistGradientBoostingClassifier(max_iter=3, learning_rate=0.3, early_stopping=False, random_state=0)
        train_units(model, X, y, None, 0, 3, "warm_start", "max_iter", None)
        before = model.decision_function(X)
        set_hyperparameters(model, change)
        train_units(model, X, y, None, 3, 3, "warm_start", "max_iter", None)
        assert model.n_iter_ == 6  # the stages were added, not refitted
        return np.abs(model.decision_function(X) - before).max()

    assert after(values) < 1e-6 < 1e-2 < after({})


# -- the planner on a synthetic population ---------------------------------------------------------

SPACE = {"learning_rate": Hyperparameter("float", 0.01, 0.5, log=True),
         "max_leaf_nodes": Hyperparameter("int", 4, 64),
         "class_weight": Hyperparameter("categorical", choices=(None, "balanced"))}


def planner(n=4, rounds=3, k=5, maximise=True, seed=0):
    search = SimpleNamespace(space=SPACE, order=list(SPACE), conditions={}, defaults={}, seed=seed,
                             metric=SimpleNamespace(better=(lambda a, b: a > b) if maximise else (lambda a, b: a < b)))
    return Planner(search, Shape(n, rounds, k, 0.25), PBT_MODELS["hist_gradient_boosting"])


def fake(number, slot, value=None, state="COMPLETE"):
    attr = slot.attr() if hasattr(slot, "attr") else slot
    return SimpleNamespace(number=number, state=SimpleNamespace(name=state), value=value,
                           params=dict(attr["schedule"][-1][1]), user_attrs={PBT_ATTR: attr})


def fill_round(p, trials, values):
    """Ask the planner for one round of every member and finish each trial with the given score."""
    for value in values:
        slot = p.next(trials)
        trials.append(fake(len(trials), slot, value))
    return trials


def test_round_zero_draws_each_member_from_the_space_seeded():
    p = planner()
    trials = fill_round(p, [], [0.5, 0.6, 0.7, 0.8])
    firsts = [t.params for t in trials]
    assert [t.user_attrs[PBT_ATTR]["member"] for t in trials] == [0, 1, 2, 3]
    assert len({json.dumps(f, sort_keys=True) for f in firsts}) == 4
    for f in firsts:
        assert 0.01 <= f["learning_rate"] <= 0.5 and 4 <= f["max_leaf_nodes"] <= 64
        assert isinstance(f["max_leaf_nodes"], int)
    again = fill_round(planner(), [], [0.5, 0.6, 0.7, 0.8])
    assert [t.params for t in again] == firsts
    assert [t.params for t in fill_round(planner(seed=1), [], [0.5] * 4)] != firsts


@pytest.mark.parametrize("maximise", [True, False])
def test_the_bottom_quantile_copies_a_top_member_and_perturbs_its_values(maximise):
    p = planner(maximise=maximise)
    scores = [0.9, 0.7, 0.5, 0.1] if maximise else [0.1, 0.3, 0.5, 0.9]  # member 0 best, member 3 worst
    trials = fill_round(p, [], scores)
    slots = []
    for _ in range(4):
        slot = p.next(trials)
        slots.append(slot)
        trials.append(fake(len(trials), slot, 0.5))
    by_member = {s.member: s for s in slots}
    for m in (0, 1, 2):  # above the bottom quarter: continue their own models with their own values
        s = by_member[m]
        assert (s.parent, s.exploited, s.params) == (m, False, trials[m].params)
        assert s.schedule == trials[m].user_attrs[PBT_ATTR]["schedule"] and s.units == 10
    worst = by_member[3]
    donor = trials[0]  # the top quarter of four is member 0
    assert worst.exploited and worst.parent == donor.number and worst.round == 1 and worst.units == 10
    assert worst.params["class_weight"] == donor.params["class_weight"]  # shapes the model: copied with it
    for name in ("learning_rate", "max_leaf_nodes"):
        lo, hi = SPACE[name].low, SPACE[name].high
        assert lo <= worst.params[name] <= hi
        assert worst.params[name] != donor.params[name]
    assert worst.schedule == [*donor.user_attrs[PBT_ATTR]["schedule"], [5, worst.params]]


def test_explore_scales_by_a_fifth_or_resamples_within_the_range():
    p = planner()
    base = {"learning_rate": 0.5, "max_leaf_nodes": 10, "class_weight": None}
    seen = []
    for seed in range(200):
        out = p.explore(base, np.random.default_rng(seed))
        assert 0.01 <= out["learning_rate"] <= 0.5  # 0.5 × 1.2 is cut back to the top of the range
        seen.append(out["max_leaf_nodes"])
    counts = Counter(seen)
    assert counts[8] > 40 and counts[12] > 40  # ×0.8 and ×1.2
    assert sum(v for k, v in counts.items() if k not in (8, 12)) > 10  # and some drawn anew


def test_running_trials_claim_their_slots_and_the_population_ends():
    p = planner(n=2, rounds=2)
    first = p.next([])
    running = [fake(0, first, state="RUNNING")]
    second = p.next(running)
    assert (second.member, second.round) == (1, 0)  # member 0 is taken by the running trial
    both = running + [fake(1, second, state="RUNNING")]
    assert p.next(both) == WAIT
    # Of two claims on one slot the earlier trial keeps it, and a trial cut off gives it back.
    assert p.holds(both + [fake(2, first, state="RUNNING")], 2, 0, 0) is False
    assert p.holds(both, 0, 0, 0) is True
    cut = [fake(0, first, state="FAIL"), fake(1, second, state="RUNNING")]
    cut[0].user_attrs["hpgui"] = {"error": "Interrupted: the search was stopped while this trial ran"}
    again = p.next(cut)
    assert (again.member, again.round) == (0, 0)
    trials = fill_round(p, [], [0.5, 0.6])
    trials = fill_round(p, trials, [0.5, 0.6])
    assert p.next(trials) == DONE


# -- real searches ----------------------------------------------------------------------------------

SPACES = {
    "mlp": {"hidden_layer_sizes": {"type": "categorical", "choices": ["16"]},
            "solver": {"type": "categorical", "choices": ["adam"]},
            "alpha": {**LOG, "low": 1e-6, "high": 1e-1}, "learning_rate_init": {**LOG, "low": 1e-4, "high": 3e-1}},
    "sgd": {"alpha": {**LOG, "low": 1e-6, "high": 1.0}, "learning_rate": {"type": "categorical", "choices": ["constant"]},
            "eta0": {**LOG, "low": 1e-4, "high": 1e-1}},
    "hist_gradient_boosting": {"learning_rate": {**LOG, "low": 0.01, "high": 0.5},
                               "max_leaf_nodes": {"type": "int", "low": 4, "high": 16}},
}


@pytest.fixture(scope="module")
def digits_csv(tmp_path_factory):
    from sklearn.datasets import load_digits

    path = tmp_path_factory.mktemp("pbt") / "digits.csv"
    load_digits(as_frame=True).frame.iloc[:600].to_csv(path, index=False)
    return path


def setup_file(tmp_path, csv, model, population=4, rounds=3, units=3, **strategy):
    setup = {"format": "hpgui-setup/1", "data": {"path": str(csv), "target": "target"}, "model": model,
             "space": SPACES[model], "evaluation": {"folds": 3}, "metric": "accuracy",
             "strategy": {"name": "pbt", "seed": 1, "population": population, "rounds": rounds,
                          "round_units": units, **strategy}}
    path = tmp_path / f"{model}.json"
    path.write_text(json.dumps(setup))
    return path


def stored(journal, name):
    import optuna
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    try:
        study = optuna.load_study(study_name=name, storage=JournalStorage(JournalFileBackend(str(journal))))
    except Exception:  # not created yet
        return []
    return study.get_trials()


def check_lineages(trials, population, rounds, k):
    """Every slot once; parents exist one round back; units grow by k; schedules extend the parent's."""
    complete = {t.number: t for t in trials if t.state.name == "COMPLETE"}
    slots = Counter((t.user_attrs[PBT_ATTR]["member"], t.user_attrs[PBT_ATTR]["round"]) for t in complete.values())
    assert sorted(slots) == [(m, r) for m in range(population) for r in range(rounds)]
    assert set(slots.values()) == {1}
    exploited = 0
    for t in complete.values():
        info = t.user_attrs[PBT_ATTR]
        assert set(info) == {"member", "round", "parent", "exploited", "units", "schedule"}
        assert info["units"] == k * (info["round"] + 1)
        assert info["schedule"][-1][1] == t.params and info["schedule"][0][0] == 0
        if info["round"] == 0:
            assert info["parent"] is None and not info["exploited"] and len(info["schedule"]) == 1
            continue
        parent = complete[info["parent"]].user_attrs[PBT_ATTR]
        assert parent["round"] == info["round"] - 1 and parent["units"] == info["units"] - k
        assert info["schedule"][:len(parent["schedule"])] == parent["schedule"]
        assert (parent["member"] != info["member"]) == info["exploited"]
        exploited += info["exploited"]
    return exploited


def run_cli(*args):
    from hpgui.cli import main

    return main(["run", *map(str, args), "--quiet"])


@pytest.mark.parametrize("model", ["mlp", "hist_gradient_boosting"])
def test_hpgui_run_trains_the_population_and_the_exported_script_replays_the_best(digits_csv, tmp_path, model):
    journal, out = tmp_path / "s.journal", tmp_path / "out"
    assert run_cli(setup_file(tmp_path, digits_csv, model), "--storage", journal, "--study", "p", "--out", out) == 0
    trials = stored(journal, "p")
    assert len(trials) == 12
    assert check_lineages(trials, 4, 3, 3) >= 1  # somebody exploited somebody
    assert not any("replayed" in t.user_attrs["hpgui"] for t in trials)  # one process kept every parent
    best = json.loads((out / "best.json").read_text())
    assert best["strategy"] == "pbt" and best["schedule"]["units"] == 9 and best["schedule"]["round_units"] == 3
    winner = next(t for t in trials if t.number == best["trial"])
    assert [[s["from_unit"], s["params"]] for s in best["schedule"]["segments"]] == winner.user_attrs[PBT_ATTR]["schedule"]
    assert best["schedule"]["lineage"][-1] == winner.number and len(best["schedule"]["lineage"]) == 3
    script = subprocess.run([sys.executable, str(out / "best_pipeline.py")], capture_output=True, text=True,
                            timeout=300)
    assert script.returncode == 0, script.stderr
    printed = float(script.stdout.split("score=")[1].split()[0])
    assert printed == pytest.approx(winner.value, abs=1e-12)
    assert "SCHEDULE = [" in (out / "best_pipeline.py").read_text()
    import csv

    with open(out / "trials.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {(int(r["pbt_member"]), int(r["pbt_round"])) for r in rows} == {(m, k) for m in range(4) for k in range(3)}
    assert all((r["pbt_parent"] == "") == (r["pbt_round"] == "0") for r in rows)


def test_the_fitted_model_is_the_schedule_replayed_on_all_rows(digits_csv, tmp_path, capsys):
    from hpgui.core.export import load_model
    from hpgui.core.runner import Search
    from hpgui.core.setup import SearchSetup

    path = setup_file(tmp_path, digits_csv, "sgd", population=3, rounds=2, units=2)
    journal, out = tmp_path / "s.journal", tmp_path / "out"
    assert run_cli(path, "--storage", journal, "--study", "p", "--out", out, "--trials", 5) == 0
    assert "--trials does not apply to population-based training" in capsys.readouterr().err
    search = Search(SearchSetup.load(path), storage=str(journal), study_name="p")
    assert len(search.records()) == 6  # the population's 3 x 2, whatever --trials said
    best = search.best_of(search.records())
    saved = load_model(out / "model.skops")
    replayed = search.pbt.fit_schedule(best.params, best.pbt)
    assert np.array_equal(saved.predict(search.X), replayed.predict(search.X))
    # Trained on every training row for the schedule's whole length: one update per row and epoch.
    assert saved[-1].t_ == best.pbt["units"] * len(search.X) + 1 == 4 * len(search.X) + 1


def test_diagnostics_of_a_population_trial_describe_its_scheduled_model(digits_csv, tmp_path):
    from hpgui.core.diagnostics.compute import diagnose
    from hpgui.core.runner import Search
    from hpgui.core.setup import SearchSetup

    path = setup_file(tmp_path, digits_csv, "sgd", population=3, rounds=2, units=2)
    search = Search(SearchSetup.load(path), storage=str(tmp_path / "s.journal"), study_name="d")
    best = search.run().best
    cv = next(p for p in diagnose(search, best.params, importance=False).parts if p.kind == "cv").held_out
    folds = [float(np.mean(cv.y_true[cv.fold == f] == cv.y_pred[cv.fold == f])) for f in range(3)]
    assert folds == pytest.approx(best.folds, abs=1e-12)  # the trial's own fold scores, not a plain refit's


def test_two_workers_fill_every_slot_once(digits_csv, tmp_path):
    journal = tmp_path / "s.journal"
    path = setup_file(tmp_path, digits_csv, "sgd", population=4, rounds=3, units=3)
    assert run_cli(path, "--storage", journal, "--study", "two", "--out", tmp_path / "out", "--workers", 2) == 0
    trials = stored(journal, "two")
    check_lineages(trials, 4, 3, 3)
    workers = {(t.user_attrs.get("hpgui") or {}).get("worker") for t in trials if t.state.name == "COMPLETE"}
    assert len(workers) == 2  # both took part


def test_kill_minus_nine_mid_population_then_resume_keeps_every_finished_trial(digits_csv, tmp_path):
    from hpgui.core.runner import Search
    from hpgui.core.setup import SearchSetup

    path = setup_file(tmp_path, digits_csv, "mlp", population=4, rounds=5, units=6)
    journal = tmp_path / "s.journal"
    env = {**os.environ, "HPGUI_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-m", "hpgui.cli", "run", str(path), "--quiet", "--study", "killed",
               "--storage", str(journal), "--out", str(tmp_path / "killed")]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while sum(t.state.name == "COMPLETE" for t in stored(journal, "killed")) < 6:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {t.number: t.value for t in stored(journal, "killed") if t.state.name == "COMPLETE"}
    assert len(before) < 20  # it was killed mid-population
    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert "Traceback" not in resumed.stderr
    after = stored(journal, "killed")
    assert {n: v for n, v in ((t.number, t.value) for t in after) if n in before} == before
    check_lineages(after, 4, 5, 6)
    # The resumed process held no models: it rebuilt the parents it continued from their schedules.
    assert any(t.user_attrs["hpgui"].get("replayed", 0) > 0 for t in after
               if t.state.name == "COMPLETE" and t.number not in before)
    # Replayed parents train as the lost in-memory ones did: the same population as a run never killed.
    Search(SearchSetup.load(path), storage=str(journal), study_name="whole").run()

    def by_slot(trials):
        return {(t.user_attrs[PBT_ATTR]["member"], t.user_attrs[PBT_ATTR]["round"]): (t.params, t.value)
                for t in trials if t.state.name == "COMPLETE"}

    assert by_slot(after) == by_slot(stored(journal, "whole"))


def test_setups_pbt_cannot_search_are_refused_with_the_reason(digits_csv, tmp_path):
    from hpgui.core.setup import SearchSetup

    def problems(**changes):
        data = json.loads(setup_file(tmp_path, digits_csv, "mlp").read_text())
        for key, value in changes.items():
            target, _, name = key.partition("__")
            if name:
                data[target][name] = value
            else:
                data[target] = value
        return {p.field: p.message for p in SearchSetup.from_json(data).validate()}

    assert problems() == {}
    assert "random_forest is not one of them" in problems(model="random_forest", space=None)["strategy.name"]
    assert "one model at a time" in problems(model=["mlp", "sgd"], space=None)["strategy.name"]
    assert "lbfgs" in problems(space={"solver": {"type": "categorical", "choices": ["lbfgs", "adam"]}})["space.solver"]
    assert "pruner to none" in problems(strategy__pruner="median")["strategy.pruner"]
    assert "from 2 to 1000" in problems(strategy__population=1)["strategy.population"]
    assert "at most 0.5" in problems(strategy__quantile=0.9)["strategy.quantile"]
    tpe = json.loads(setup_file(tmp_path, digits_csv, "mlp").read_text())
    tpe["strategy"]["name"] = "tpe"
    assert "belong to population-based training" in SearchSetup.from_json(tpe).validate()[0].message


def test_a_member_whose_model_failed_copies_a_member_that_completed():
    p = planner(n=3, rounds=2)
    trials = fill_round(p, [], [0.9, 0.6, 0.5])
    trials[1].state.name, trials[1].value = "FAIL", None
    trials[1].user_attrs["hpgui"] = {"error": "ValueError: the model diverged"}
    slots = {}
    for _ in range(3):
        slot = p.next(trials)
        slots[slot.member] = slot
        trials.append(fake(len(trials), slot, 0.5))
    failed = slots[1]
    assert failed.exploited and failed.parent == 0 and failed.round == 1  # the top member, not its own failure
    assert p.next(trials) == DONE
    # Nobody finished that round yet: the failed member waits for the one still running, then copies it.
    p = planner(n=2, rounds=2)
    first = p.next([])
    failed_trial = fake(0, first, state="FAIL")
    failed_trial.user_attrs["hpgui"] = {"error": "ValueError: the model diverged"}
    second = p.next([failed_trial])
    assert p.next([failed_trial, fake(1, second, state="RUNNING")]) == WAIT
    after = p.next([failed_trial, fake(1, second, 0.7)])
    assert (after.member, after.parent, after.exploited) == (0, 1, True)


def test_beside_a_running_worker_a_member_whose_models_are_held_may_go_one_round_ahead():
    p = planner(n=3, rounds=3)
    trials = fill_round(p, [], [0.9, 0.6, 0.5])
    own = p.next(trials)  # member 0's round 1, trained here
    trials.append(fake(len(trials), own, 0.9))
    elsewhere = fake(len(trials), p.next(trials), state="RUNNING")  # member 1's round 1, another worker's
    trials.append(elsewhere)
    # Member 2's round 1 would need member 2's models, which this process does not hold; member 0's do.
    assert (own.member, own.round, trials[3].number) == (0, 1, 3)
    ahead = p.next(trials, cached=[3])  # this process holds trial 3's models
    assert (ahead.member, ahead.round, ahead.parent) == (0, 2, 3)
    assert (p.next(trials, cached=[]).member, p.next(trials, cached=[]).round) == (2, 1)
    alone = [t for t in trials if t is not elsewhere]
    assert (p.next(alone, cached=[3]).member, p.next(alone, cached=[3]).round) == (1, 1)  # in step when alone
