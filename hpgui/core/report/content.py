"""What a report says: the data, the setup, the best configuration, the trials, the diagnostics."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Sequence

from ..choice import MODEL_PARAM
from ..export import versions
from ..records import TrialRecord
from ..url_secrets import mask as redact

if TYPE_CHECKING:
    from ..diagnostics import Diagnostics
    from ..diagnostics.nested import NestedResult
    from ..importance import Importances
    from ..runner import Search

TOP_TRIALS = 20


@dataclass
class ReportContent:
    title: str
    generated: str
    study: str
    storage: str
    task: str
    metric: str
    greater_is_better: bool
    dataset: list[tuple[str, str]]             # (fact, value)
    columns: list[tuple[str, str, int, int]]   # (name, kind, missing, distinct) of the features used
    setup: list[tuple[str, str]]
    space: list[tuple[str, str]]               # (hyperparameter, its range)
    best: TrialRecord | None
    best_params: dict[str, Any]
    test_score: float | None
    counts: dict[str, int]
    top_header: list[str]
    top_rows: list[list[Any]]
    versions: dict[str, str]
    records: list[TrialRecord] = field(repr=False, default_factory=list)
    diagnostics: "Diagnostics | None" = None
    nested: "NestedResult | None" = None
    importance: "Importances | None" = None
    importance_note: str = ""
    notes: list[str] = field(default_factory=list)


def _range(hp: Any) -> str:
    if hp.type == "categorical":
        return "one of " + ", ".join(map(str, hp.choices))
    if hp.values is not None:
        return "values " + ", ".join(map(str, hp.values))
    text = f"{hp.type} from {hp.low:g} to {hp.high:g}"
    if hp.log:
        text += ", log scale"
    if hp.step:
        text += f", step {hp.step:g}"
    return text


def _budget(budget: Any) -> str:
    parts = []
    if budget.trials:
        parts.append(f"{budget.trials} trials")
    if budget.timeout_s:
        parts.append(f"{budget.timeout_s:g} s")
    if budget.patience:
        parts.append(f"patience {budget.patience}")
    if budget.target_score is not None:
        parts.append(f"target {budget.target_score:g}")
    return ", ".join(parts) or "none"


def top_trials(records: Sequence[TrialRecord], names: Sequence[str], greater_is_better: bool,
               limit: int = TOP_TRIALS) -> tuple[list[str], list[list[Any]]]:
    done = [r for r in records if r.state == "complete" and r.value is not None and math.isfinite(r.value)]
    done.sort(key=lambda r: (-r.value if greater_is_better else r.value, r.number))
    header = ["Trial", "Score", "± std", "Fit time (s)",
              *["model" if n == MODEL_PARAM else n for n in names]]
    rows = [[r.number, r.value, r.std, r.fit_time_s, *[r.params.get(n, "") for n in names]] for r in done[:limit]]
    return header, rows


def gather(search: "Search", records: Sequence[TrialRecord], *, diagnostics: "Diagnostics | None" = None,
           nested: "NestedResult | None" = None, test_score: float | None = None,
           importance: "Importances | None" = None, importance_note: str = "") -> ReportContent:
    """Everything the report shows about ``search``'s study with these ``records``."""
    records = list(records)
    setup, ds, data = search.setup, search.dataset, search.data
    best = search.best_of(records)
    counts: dict[str, int] = {}
    for r in records:
        counts[r.state] = counts.get(r.state, 0) + 1
    profiles = ds.profiles
    columns = [(name, profiles[name].kind if name in profiles else "", profiles[name].missing if name in profiles
                else 0, profiles[name].distinct if name in profiles else 0) for name in data.features]
    facts = [("File", str(ds.path)), ("SHA-256", ds.sha256 or "unknown"), ("Rows", f"{ds.rows:,}"),
             ("Columns", str(len(ds.columns))), ("Target", data.target or "none (clustering)"),
             ("Task", search.task), ("Features", str(len(data.features)))]
    if data.dropped_rows:
        facts.append(("Rows without a target (left out)", f"{data.dropped_rows:,}"))
    train_rows = len(search.X)
    facts.append(("Training rows", f"{train_rows:,}"))
    if search.X_test is not None:
        facts.append(("Test rows (held out)", f"{len(search.X_test):,}"))
    settings = [("Model", ", ".join(setup.models)), ("Strategy", f"{setup.strategy.name} (seed {search.seed})"),
                ("Pruner", setup.strategy.pruner if setup.strategy.resource == "folds"
                 else f"{setup.strategy.pruner}, by {setup.strategy.resource}"),
                ("Budget", _budget(setup.budget)),
                ("Evaluation", setup.evaluation.describe()),
                ("Metric", f"{search.metric.label} ({search.metric.direction})"),
                ("Preprocessing", str(setup.preprocessing.to_json()))]
    header, rows = top_trials(records, list(search.order), search.metric.greater_is_better)
    params = search.model_of(best.params)[1] if best is not None else {}
    return ReportContent(
        title=f"hpgui report: {search.study_name}",
        generated=datetime.now().isoformat(timespec="seconds"),
        study=search.study_name,
        storage=redact(search.storage_url),
        task=search.task,
        metric=search.metric.label,
        greater_is_better=search.metric.greater_is_better,
        dataset=facts,
        columns=columns,
        setup=settings,
        space=[(name, _range(hp)) for name, hp in search.space.items()],
        best=best,
        best_params=dict(best.params) if best is not None else params,
        test_score=test_score,
        counts=counts,
        top_header=header,
        top_rows=rows,
        versions=versions(),
        records=records,
        diagnostics=diagnostics,
        nested=nested,
        importance=importance,
        importance_note=importance_note,
    )
