"""Bad luck and bad intent, through `hpgui run` as a user runs it: a damaged journal, a full disk, a
read-only folder, a database that stops, a file name that is code. Each gives its exit status and
a one-line message, never a traceback, and keeps every finished trial."""

from __future__ import annotations

import ast
import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from tests_support import EXAMPLES, ROOT

SUPPORT = Path(__file__).with_name("faults_support.py")


def hpgui(*args, timeout=300, env=None, cwd=None, runner=None):
    command = [sys.executable, *(runner or ["-m", "hpgui.cli"]), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def write_setup(folder: Path, csv_path: Path, trials: int = 5, **extra) -> Path:
    setup = {"format": "hpgui-setup/1", "data": {"path": str(csv_path), "target": "species",
                                                  "task": "classification"},
             "model": "decision_tree", "space": {"max_depth": {"type": "int", "low": 1, "high": 8},
                                                 "min_samples_leaf": {"type": "int", "low": 1, "high": 20}},
             "strategy": {"name": "random", "seed": 3}, "evaluation": {"folds": 3}, "metric": "accuracy",
             "budget": {"trials": trials}, **extra}
    path = folder / "setup.json"
    path.write_text(json.dumps(setup))
    return path


@pytest.fixture
def iris(iris_csv) -> Path:
    return iris_csv


def finished(journal: Path) -> dict[int, tuple[str, float | None]]:
    """Trial number -> (state, value) of every finished trial the journal holds, read as Optuna reads it."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    storage = JournalStorage(JournalFileBackend(str(journal)))
    out = {}
    for summary in optuna.get_all_study_summaries(storage):
        study = optuna.load_study(study_name=summary.study_name, storage=storage)
        for t in study.get_trials(deepcopy=False):
            if t.state.is_finished():
                out[t.number] = (t.state.name, t.value)
    return out


def journal_of(data_dir: Path, study: str) -> Path:
    return data_dir / "studies" / f"{study}.journal"


def assert_clean(run, status: int, *words: str) -> None:
    assert run.returncode == status, (run.returncode, run.stderr[-3000:])
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    for word in words:
        assert word in run.stderr, (word, run.stderr[-3000:])


def damaged_copies(journal: Path) -> list[Path]:
    return sorted(journal.parent.glob(journal.name + ".damaged-*"))


# -- 1. a damaged journal ------------------------------------------------------------------------


def _cut_tail(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:-40])


def _garbage_tail(path: Path) -> None:
    with open(path, "ab") as fh:
        fh.write(b'{"op_code": 5, "worker_id": "x", "trial_id" garbage\n')


@pytest.mark.parametrize("damage", [_cut_tail, _garbage_tail], ids=["cut-line", "garbage-line"])
def test_a_damaged_tail_is_cut_back_with_a_copy_kept_and_the_study_resumes(iris, tmp_path, damage):
    data_dir = Path(os.environ["HPGUI_DATA_DIR"])
    setup = write_setup(tmp_path, iris, trials=5)
    first = hpgui("run", setup, "--study", "tail", "--out", tmp_path / "o", "--quiet")
    assert_clean(first, 0)
    journal = journal_of(data_dir, "tail")
    damage(journal)
    before = finished(journal)  # Optuna still reads past a damaged last line
    original = journal.read_bytes()

    # Listing the studies opens them (and may write); it must repair first, not write after the damage.
    listing = subprocess.run([sys.executable, "-c", "from hpgui.core.library import list_studies; "
                              "print([(i.name, i.counts) for i in list_studies()])"],
                             capture_output=True, text=True, timeout=120,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert listing.returncode == 0 and "Traceback" not in listing.stderr, listing.stderr
    copies = damaged_copies(journal)
    assert len(copies) == 1 and copies[0].read_bytes() == original
    listed = finished(journal)
    assert {n: listed[n] for n in before} == before  # (the cut trial itself is failed as abandoned)

    again = hpgui("run", setup, "--study", "tail", "--trials", 8, "--out", tmp_path / "o", "--quiet")
    assert_clean(again, 0)
    after = finished(journal)
    assert {n: after[n] for n in before} == before
    assert len(after) == 8
    assert damaged_copies(journal) == copies  # sound now: nothing more to repair


def test_an_append_cut_off_by_another_process_is_repaired_before_this_one_writes(tmp_path):
    import optuna

    from hpgui.core.storage import open_storage

    journal = tmp_path / "shared.journal"
    storage = open_storage(str(journal), "shared")
    study = optuna.create_study(study_name="shared", storage=storage)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    with open(journal, "ab") as fh:  # another worker, cut off by a full disk mid-append
        fh.write(b'{"op_code":5,"worker_id":"other","trial_id":1,"sta')
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert len(finished(journal)) == 5  # readable: nothing was appended after the broken bytes
    copies = damaged_copies(journal)
    assert len(copies) == 1 and copies[0].read_bytes().endswith(b'"trial_id":1,"sta')


def test_a_bad_line_mid_file_keeps_every_trial_before_it_and_says_so(iris, tmp_path):
    data_dir = Path(os.environ["HPGUI_DATA_DIR"])
    setup = write_setup(tmp_path, iris, trials=6)
    assert_clean(hpgui("run", setup, "--study", "mid", "--out", tmp_path / "o", "--quiet"), 0)
    journal = journal_of(data_dir, "mid")
    lines = journal.read_bytes().splitlines(keepends=True)
    cut = len(lines) * 2 // 3
    shutil.copy(journal, tmp_path / "prefix.journal")
    (tmp_path / "prefix.journal").write_bytes(b"".join(lines[:cut]))
    before = finished(tmp_path / "prefix.journal")
    damaged = b"".join(lines[:cut]) + b'{"op_code": 6, "worker_id"\n' + b"".join(lines[cut:])
    journal.write_bytes(damaged)
    with pytest.raises(ValueError):
        finished(journal)  # what Optuna alone makes of it

    run = hpgui("run", setup, "--study", "mid", "--out", tmp_path / "o", "--quiet")
    assert_clean(run, 0, f"bad record at line {cut + 1}", "the original is kept as")
    copy = damaged_copies(journal)[0]
    assert copy.read_bytes() == damaged and str(copy) in run.stderr
    after = finished(journal)
    assert {n: after[n] for n in before} == before
    assert sum(1 for state, _ in after.values()) >= 6


def _tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


@pytest.mark.parametrize("how", ["tmpfs", "writer"])
def test_a_full_disk_mid_search_then_free_space_and_resume_loses_nothing(iris, tmp_path, how):
    disk = tmp_path / "disk"
    mounted = how == "tmpfs" and _tmpfs(disk, "48k")
    if how == "tmpfs" and not mounted:
        pytest.skip("cannot mount a tmpfs here (needs root); the 'writer' case covers a full disk")
    disk.mkdir(exist_ok=True)
    env = {"HPGUI_DATA_DIR": str(disk)}
    runner = None if how == "tmpfs" else [str(SUPPORT), "12"]
    setup = write_setup(tmp_path, iris, trials=400 if mounted else 30)
    try:
        full = hpgui("run", setup, "--study", "full", "--out", tmp_path / "o", "--quiet", env=env, runner=runner)
        assert_clean(full, 1, "is full", "run the same command again to resume")
        journal = journal_of(disk, "full")
        before = finished(journal)
        assert before, "some trials finished before the disk filled"
        if mounted:
            subprocess.run(["mount", "-o", "remount,size=2m", str(disk)], check=True)
        resume = hpgui("run", setup, "--study", "full", "--out", tmp_path / "o", "--quiet", "--trials",
                       len(before) + 3, env=env)
        assert_clean(resume, 0, "the original is kept as")
        after = finished(journal)
        assert {n: after[n] for n in before} == before
        assert len(after) == len(before) + 3
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` read-only for this user while inside: a read-only bind mount as root (root ignores modes)."""
    if os.geteuid() == 0:
        bound = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode == 0
        if not bound or subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)],
                                       capture_output=True).returncode != 0:
            if bound:
                subprocess.run(["umount", str(folder)], capture_output=True)
            pytest.skip("cannot make a folder read-only here")
    else:
        folder.chmod(0o555)
    try:
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(folder)], capture_output=True)
        else:
            folder.chmod(0o755)


def test_a_read_only_data_folder_is_a_message_and_the_study_is_untouched(iris, tmp_path):
    data_dir = tmp_path / "data"
    env = {"HPGUI_DATA_DIR": str(data_dir)}
    setup = write_setup(tmp_path, iris, trials=4)
    assert_clean(hpgui("run", setup, "--study", "ro", "--out", tmp_path / "o", "--quiet", env=env), 0)
    journal = journal_of(data_dir, "ro")
    before = finished(journal)
    studies = data_dir / "studies"
    with read_only(studies):
        run = hpgui("run", setup, "--study", "ro", "--trials", 6, "--out", tmp_path / "o", "--quiet", env=env)
        assert_clean(run, 2, str(studies), "cannot be written")
        fresh = hpgui("run", setup, "--study", "other", "--out", tmp_path / "o", "--quiet", env=env)
        assert_clean(fresh, 2, str(studies), "cannot be written")
    assert finished(journal) == before


def test_a_data_folder_that_cannot_be_made_is_a_message(iris, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    run = hpgui("run", write_setup(tmp_path, iris), "--out", tmp_path / "o", "--quiet",
                env={"HPGUI_DATA_DIR": str(blocker / "data")})
    assert_clean(run, 2, str(blocker / "data"), "HPGUI_DATA_DIR")


def test_out_on_a_read_only_folder_keeps_the_trials_and_says_where(iris, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with read_only(out):
        run = hpgui("run", write_setup(tmp_path, iris, trials=3), "--study", "outro", "--out", out, "--quiet")
        assert_clean(run, 1, str(out), "--out")
    assert len(finished(journal_of(Path(os.environ["HPGUI_DATA_DIR"]), "outro"))) == 3


# -- 2. bad input files --------------------------------------------------------------------------


def test_a_csv_with_carriage_return_line_endings_is_a_message(iris, tmp_path):
    cr = tmp_path / "cr.csv"
    cr.write_bytes(iris.read_bytes().replace(b"\n", b"\r"))
    run = hpgui("run", write_setup(tmp_path, cr), "--out", tmp_path / "o", "--quiet")
    assert_clean(run, 2, "cr.csv", "line endings")


def test_a_deeply_nested_setup_is_a_message(tmp_path):
    setup = tmp_path / "deep.json"
    setup.write_text('{"model": ' + "[" * 100_000 + "]" * 100_000 + "}")
    run = hpgui("run", setup, "--out", tmp_path / "o", "--quiet")
    assert_clean(run, 2, "deep.json", "nested too deeply")


def test_a_fifo_as_data_file_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    run = hpgui("run", write_setup(tmp_path, fifo), "--out", tmp_path / "o", "--quiet", timeout=120)
    assert_clean(run, 2, "data.csv", "not a regular file")


def test_infinite_values_are_refused_before_any_trial(iris, tmp_path):
    lines = iris.read_text().splitlines()
    first = lines[3].split(",")
    lines[3] = ",".join(["inf", *first[1:]])
    lines[9] = ",".join([lines[9].split(",")[0], "-inf", *lines[9].split(",")[2:]])
    bad = tmp_path / "inf.csv"
    bad.write_text("\n".join(lines) + "\n")
    run = hpgui("run", write_setup(tmp_path, bad), "--out", tmp_path / "o", "--quiet")
    assert_clean(run, 2, "inf.csv", "infinite values", "'sepal_length_cm' (1 row)", "'sepal_width_cm' (1 row)")
    assert not (Path(os.environ["HPGUI_DATA_DIR"]) / "studies").exists() or \
        not list((Path(os.environ["HPGUI_DATA_DIR"]) / "studies").glob("*.journal"))


def test_a_message_about_ten_thousand_classes_stays_short(tmp_path):
    rows = ["a,b,species"] + [f"{i % 7},{i % 11},class-{i // 2}" for i in range(20_000)]
    data = tmp_path / "many.csv"
    data.write_text("\n".join(rows) + "\n")
    run = hpgui("run", write_setup(tmp_path, data), "--out", tmp_path / "o", "--quiet")
    assert_clean(run, 2, "Too few rows of some class", "more. Lower the number of folds")
    assert len(run.stderr) < 2_000


# -- 3. code injection through generated source ----------------------------------------------------

NASTY = 'x"""; import os; os.system("touch pwned"); """ \\ \' # \n'


def test_two_runs_that_create_one_new_study_at_once_both_join_it(iris, tmp_path):
    data_dir = Path(os.environ["HPGUI_DATA_DIR"])
    setup = write_setup(tmp_path, iris, trials=8)
    command = [sys.executable, "-m", "hpgui.cli", "run", str(setup), "--study", "twice", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen([*command, "--out", str(tmp_path / f"o{i}")], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env) for i in range(2)]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr[-3000:]
        assert "Traceback" not in stderr and "no trial succeeded" not in stderr, stderr[-3000:]
    states = [state for state, _ in finished(journal_of(data_dir, "twice")).values()]
    assert states.count("COMPLETE") >= 8  # one study, its budget counted once (a surplus trial is failed)


def test_the_summary_of_several_workers_counts_every_trial_they_ran(iris, tmp_path):
    data_dir = Path(os.environ["HPGUI_DATA_DIR"])
    run = hpgui("run", write_setup(tmp_path, iris, trials=9), "--study", "three", "--workers", 3,
                "--out", tmp_path / "o")
    assert_clean(run, 0)
    ran = finished(journal_of(data_dir, "three"))
    complete = sum(1 for state, _ in ran.values() if state == "COMPLETE")
    assert complete >= 9
    summary = next(line for line in run.stdout.splitlines() if " new, stopped: " in line)
    total, new = summary.split(" trials (")[0], summary.split(" trials (")[1].split(" new")[0]
    assert int(total) == int(new) == len(ran), (summary, len(ran))


def test_a_target_also_listed_among_the_features_is_dropped_with_a_note(iris, tmp_path):
    setup = write_setup(tmp_path, iris, trials=2)
    data = json.loads(setup.read_text())
    data["data"]["features"] = ["sepal_length_cm", "species", "petal_width_cm"]
    setup.write_text(json.dumps(data))
    run = hpgui("run", setup, "--out", tmp_path / "o")
    assert_clean(run, 0)
    assert "'species' was removed from the features" in run.stderr + run.stdout
    best = json.loads((tmp_path / "o" / "best.json").read_text())

    def lists_of_features(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "features":
                    yield value
                yield from lists_of_features(value)

    assert list(lists_of_features(best)) and all(
        found == ["sepal_length_cm", "petal_width_cm"] for found in lists_of_features(best))


def test_names_and_values_that_look_like_code_stay_literals_in_the_exported_script(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    data = folder / 'x"""; import os; os.system("touch pwned"); """ \' # \\.csv'
    rows = list(csv.reader((EXAMPLES / "iris.csv").read_text().splitlines()))
    header = [f'sepal"""{i}\\ #\n\'' if i < 2 else name for i, name in enumerate(rows[0])]
    header[-1] = 'species"""; os.system("touch pwned") #'
    labels = {"setosa": 'se"""; os.system("touch pwned"); """', "versicolor": "ve\\'#\n", "virginica": "vi"}
    kinds = ['k"""; os.system("touch pwned"); """', "k\\#", "k'\n"]
    with open(data, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*header[:-1], 'kind"""#', header[-1]])
        for i, row in enumerate(rows[1:]):
            writer.writerow([*row[:-1], kinds[i % 3], labels[row[-1]]])
    setup = {"format": "hpgui-setup/1", "data": {"path": str(data), "target": header[-1]},
             "model": "logistic_regression", "preprocessing": "auto",
             "strategy": {"name": "random", "seed": 1}, "evaluation": {"folds": 3}, "budget": {"trials": 2}}
    (tmp_path / "s.json").write_text(json.dumps(setup))
    for study in (None, NASTY):  # the default study name holds the data file's name
        out = tmp_path / ("out" if study is None else "out-named")
        run = hpgui("run", tmp_path / "s.json", *(["--study", study] if study else []), "--out", out, "--quiet",
                    cwd=tmp_path)
        assert_clean(run, 0)
        script = out / "best_pipeline.py"
        work = tmp_path / f"work-{study is None}"
        work.mkdir()
        ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=work)
        assert ran.returncode == 0, ran.stderr
        best = json.loads((out / "best.json").read_text())
        assert float(ran.stdout.split("score=")[1].split()[0]) == pytest.approx(best["score"], abs=1e-12)
        assert not [p for p in tmp_path.rglob("pwned")] and not Path("pwned").exists()
        tree = ast.parse(script.read_text())
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "system"]
        assert 'os.system("touch pwned")' in script.read_text()  # the names are there, as string literals


# -- 2 and 5. a real PostgreSQL server -------------------------------------------------------------

PG_VARIABLE = "HPGUI_TEST_POSTGRES_URL"


def _pg_url() -> str:
    url = os.environ.get(PG_VARIABLE)
    if not url:
        pytest.skip(f"{PG_VARIABLE} is not set; .ci/run starts a PostgreSQL server and sets it "
                    "(tests/test_postgres.py says how to run these by hand)")
    return url


def _db_finished(url: str, study: str) -> dict[int, tuple[str, float | None]]:
    import optuna

    from hpgui.core.storage import open_storage

    loaded = optuna.load_study(study_name=study, storage=open_storage(url, study))
    return {t.number: (t.state.name, t.value) for t in loaded.get_trials(deepcopy=False) if t.state.is_finished()}


def test_the_documented_postgresql_url_works_with_the_postgres_extra(iris, tmp_path):
    from urllib.parse import urlsplit

    parts = urlsplit(_pg_url())
    # The form README.md and docs/distributed.md show: no driver, no password (PGPASSWORD or ~/.pgpass).
    documented = f"postgresql://{parts.username}@{parts.hostname}:{parts.port}{parts.path}"
    study = f"doc-{os.getpid()}-{tmp_path.name[-8:]}"
    run = hpgui("run", write_setup(tmp_path, iris, trials=3), "--storage", documented, "--study", study,
                "--out", tmp_path / "o", "--quiet", env={"PGPASSWORD": parts.password})
    assert_clean(run, 0)
    assert len(_db_finished(_pg_url(), study)) == 3
    assert parts.password not in run.stdout + run.stderr


def test_the_database_stopping_mid_search_is_retried_then_a_message_and_resume_loses_nothing(iris, tmp_path):
    import socket
    import time
    from urllib.parse import urlsplit

    _pg_url()  # the CI's server is there, so the PostgreSQL binaries are too; this test stops its own
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = Path(f"/tmp/hpgui-faults-pg-{os.getpid()}")
    tool = str(ROOT / ".ci" / "postgres")
    started = subprocess.run([tool, "start", str(folder), str(port)], capture_output=True, text=True, timeout=300)
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip()
    password = urlsplit(url).password
    env = {"HPGUI_DB_RETRY_S": "40"}  # the short outage below must fit in it, on a loaded machine too
    setup = write_setup(tmp_path, iris, trials=100_000)
    try:
        search = subprocess.Popen(
            [sys.executable, "-m", "hpgui.cli", "run", str(setup), "--storage", url, "--study", "gone", "--out",
             str(tmp_path / "o"), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env})

        def count() -> int:
            try:
                return len(_db_finished(url, "gone"))
            except Exception:  # noqa: BLE001 - not created yet
                return 0

        deadline = time.monotonic() + 120
        while count() < 3 and time.monotonic() < deadline and search.poll() is None:
            time.sleep(0.3)
        # A short outage is waited out: the search goes on once the server is back.
        subprocess.run([tool, "halt", str(folder)], check=True, capture_output=True, timeout=60)
        time.sleep(1.5)
        subprocess.run([tool, "resume", str(folder), str(port)], check=True, capture_output=True, timeout=120)
        mid = count()
        deadline = time.monotonic() + 120
        while count() < mid + 3 and time.monotonic() < deadline and search.poll() is None:
            time.sleep(0.3)
        assert search.poll() is None, search.communicate()[1][-3000:]
        # A long one is a message, after the retries.
        subprocess.run([tool, "halt", str(folder)], check=True, capture_output=True, timeout=60)
        _, stderr = search.communicate(timeout=180)
        assert search.returncode == 1, stderr[-3000:]
        assert "Traceback" not in stderr and "stopped answering" in stderr, stderr[-3000:]
        assert "run the same command again to resume" in stderr and password not in stderr
        assert f"127.0.0.1:{port}" in stderr
        subprocess.run([tool, "resume", str(folder), str(port)], check=True, capture_output=True, timeout=120)
        before = _db_finished(url, "gone")
        assert len(before) >= mid + 3
        resume = hpgui("run", setup, "--storage", url, "--study", "gone", "--trials", len(before) + 2, "--out",
                       tmp_path / "o", "--quiet", env=env)
        assert_clean(resume, 0)
        after = _db_finished(url, "gone")
        assert {n: after[n] for n in before} == before
        assert sum(1 for n in after if n not in before) >= 2
    finally:
        if search.poll() is None:
            search.kill()
        subprocess.run([tool, "stop", str(folder)], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


# -- 4. hangs --------------------------------------------------------------------------------------


def test_a_huge_grid_is_sized_without_listing_it_and_an_allowed_one_starts_at_once(iris, tmp_path):
    from hpgui.core.space import Hyperparameter, grid_size

    huge = {"max_depth": {"type": "int", "low": 1, "high": 90_000_000},
            "min_samples_leaf": {"type": "int", "low": 1, "high": 100_000_000}}
    space = {name: Hyperparameter(type="int", low=v["low"], high=v["high"]) for name, v in huge.items()}
    assert grid_size(space) == 9 * 10 ** 15  # (a list of 10^8 values would take gigabytes)
    setup = write_setup(tmp_path, iris, trials=3, space=huge, strategy={"name": "grid", "seed": 0})
    refused = hpgui("run", setup, "--out", tmp_path / "o", "--quiet")
    assert_clean(refused, 2, "9,000,000,000,000,000 points", "allow_large_grid")
    allowed = write_setup(tmp_path, iris, trials=3, space=huge,
                          strategy={"name": "grid", "seed": 0, "allow_large_grid": True})
    run = hpgui("run", allowed, "--study", "huge", "--out", tmp_path / "o", "--quiet")
    assert_clean(run, 0)
    assert "3 trials" in run.stdout
    journal = journal_of(Path(os.environ["HPGUI_DATA_DIR"]), "huge")
    assert journal.stat().st_size < 2_000_000  # a chunk of queued points, not the grid
    more = hpgui("run", allowed, "--study", "huge", "--trials", 5, "--out", tmp_path / "o", "--quiet")
    assert_clean(more, 0)
    done = finished(journal)
    assert len(done) == 5 and all(state == "COMPLETE" for state, _ in done.values())


def test_a_lock_left_by_a_killed_process_is_removed_at_once_with_a_notice(iris, tmp_path):
    data_dir = Path(os.environ["HPGUI_DATA_DIR"])
    setup = write_setup(tmp_path, iris, trials=2)
    assert_clean(hpgui("run", setup, "--study", "locked", "--out", tmp_path / "o", "--quiet"), 0)
    journal = journal_of(data_dir, "locked")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    import socket

    os.symlink(f"{journal}#hpgui-owner={socket.gethostname()}:{dead.pid}", f"{journal}.lock")
    run = hpgui("run", setup, "--study", "locked", "--trials", 3, "--out", tmp_path / "o", "--quiet")
    assert_clean(run, 0, "removed a lock on locked.journal", f"process {dead.pid}")
    assert len(finished(journal)) == 3
    assert not Path(f"{journal}.lock").is_symlink()


def test_a_heartbeat_that_meets_a_lost_server_stays_quiet_and_other_errors_still_go_up():
    from sqlalchemy.exc import OperationalError

    from hpgui.core import db_retry

    def lost(_self):
        raise RuntimeError("commit failed") from OperationalError("SELECT 1", {}, ConnectionRefusedError())

    def broken(_self):
        raise ValueError("a bug, not the network")

    assert db_retry._quiet(lost)(object()) is None
    with pytest.raises(ValueError):
        db_retry._quiet(broken)(object())
    assert db_retry.retrying_rdb_storage().record_heartbeat.__wrapped__.__name__ == "record_heartbeat"
