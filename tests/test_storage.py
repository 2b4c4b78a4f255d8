"""Storage locations and URLs."""

from __future__ import annotations

from pathlib import Path

from hpgui.core.storage import journal_path, journal_url_path, safe_name, storage_url
from hpgui.core.url_secrets import mask as redact


def test_passwords_never_show():
    assert redact("postgresql://ana:s3cret@db.example:5432/hp") == "postgresql://ana:***@db.example:5432/hp"
    assert redact("postgresql://ana@db/hp") == "postgresql://ana@db/hp"
    assert redact("sqlite:///x.db") == "sqlite:///x.db"
    assert "s3cret" not in redact("postgresql+psycopg2://u:s3cret@h/d?sslmode=require")


def test_journal_urls_round_trip_on_posix_and_windows_paths():
    url = storage_url(None, "my study")
    assert url.startswith("journal:///")
    assert journal_url_path(url) == journal_path("my study")
    assert journal_url_path("journal:///C:/Users/a/s.journal") == Path("C:/Users/a/s.journal")
    path = journal_path("my study")
    assert path.name == "my-study.journal" and path.parent.name == "studies"


def test_study_names_become_safe_file_names():
    assert safe_name("svm / iris: run #1") == "svm-iris-run-1"
    assert safe_name("...") == "study"


def test_scrub_hides_a_password_wherever_a_message_quotes_it():
    from hpgui.core.url_secrets import scrub

    url = "postgresql://ana:p%40ss word@db.example/hp"
    text = ("could not connect to postgresql://ana:p%40ss word@db.example/hp: password 'p@ss word' rejected; "
            "also sqlite+pysqlite://bob:hunter2@x/y")
    cleaned = scrub(text, url)
    assert "p%40ss" not in cleaned and "p@ss" not in cleaned and "hunter2" not in cleaned
    assert "postgresql://ana:***@db.example/hp" in cleaned
    assert scrub("nothing secret", None) == "nothing secret"


def test_a_password_given_as_a_query_parameter_is_hidden_too():
    from hpgui.core.url_secrets import mask as redact, scrub

    url = "postgresql://ana@db/hp?sslmode=require&password=pw-123"
    assert redact(url) == "postgresql://ana@db/hp?sslmode=require&password=***"
    message = scrub(f"could not connect to {url}: password pw-123 rejected", url)
    assert "pw-123" not in message and "password=***" in message


def test_a_journal_reads_back_every_trial_with_its_own_ranges(tmp_path):
    # Replay shares one parsed distribution among the trials that stored the same one; a widened
    # range is a different distribution, and each trial keeps its own.
    import optuna
    from optuna.distributions import FloatDistribution, IntDistribution

    from hpgui.core.storage import open_storage

    url = f"journal:///{(tmp_path / 's.journal').as_posix().lstrip('/')}"
    study = optuna.create_study(study_name="s", storage=open_storage(url, "s"))
    narrow, wide = FloatDistribution(0.1, 10.0, log=True), FloatDistribution(0.01, 100.0, log=True)
    depth = IntDistribution(1, 8)
    for i in range(6):
        study.add_trial(optuna.trial.create_trial(
            params={"C": 1.0 + i, "depth": 1 + i}, distributions={"C": narrow if i < 3 else wide, "depth": depth},
            value=float(i)))
    trials = optuna.load_study(study_name="s", storage=open_storage(url, "s")).get_trials()
    assert [t.params for t in trials] == [{"C": 1.0 + i, "depth": 1 + i} for i in range(6)]
    assert [t.distributions["C"] for t in trials] == [narrow] * 3 + [wide] * 3
    assert all(t.distributions["depth"] == depth for t in trials)
    assert trials[0].distributions["C"] is trials[1].distributions["C"]
    assert trials[0].distributions["C"] is not trials[3].distributions["C"]
