"""The report as one HTML file: inline style, images as data: URIs, every text escaped.

Nothing in the file refers to anything outside it (no script, no link, no font), so it
opens the same offline, in a mail attachment or years later. Names, columns, class labels
and values come from the user's data and go through :func:`html.escape` on the way in.
"""

from __future__ import annotations

import base64
import html
import math
import os
from pathlib import Path
from typing import Any, Mapping

from .content import ReportContent

#: The result charts of each task, in the order the report shows them: (key, title).
CHARTS = {
    "classification": [("confusion", "Confusion matrix (counts)"),
                       ("confusion-normalised", "Confusion matrix (share of each actual class)"),
                       ("roc", "ROC curve"), ("pr", "Precision–recall curve"),
                       ("calibration", "Calibration curve"), ("threshold", "Decision threshold")],
    "regression": [("predicted", "Predicted against actual"), ("residuals", "Residuals against predicted"),
                   ("histogram", "Residual histogram"), ("deciles", "Error by decile of the actual value")],
    "clustering": [("sizes", "Cluster sizes"), ("silhouette", "Silhouette of every row")],
}
PERMUTATION = ("permutation", "Permutation importance of the input columns")

SECTIONS = {"summary": "Summary", "data": "Data", "setup": "Setup", "best": "Best configuration",
            "results": "Results on held-out data", "estimate": "Honest estimate", "history": "Search history",
            "trials": "Top trials", "versions": "Versions and data hash"}

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2330;margin:0;background:#f4f5f7}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid #d5d9e0}
h3{font-size:15px;margin:18px 0 6px}.meta{color:#5b6472;font-size:13px}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}
th,td{border:1px solid #dde1e7;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}
.card{border:1px solid #dde1e7;border-radius:6px;padding:10px 14px;min-width:170px}
.card b{display:block;font-size:22px}.card span{color:#5b6472;font-size:12px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:14px}.pair.one{grid-template-columns:1fr}
figure{margin:0}figure img{width:100%;height:auto;border:1px solid #e4e7eb}
figcaption{font-size:12px;color:#5b6472;margin-top:2px}
.note{color:#5b6472;font-size:13px}nav a{margin-right:12px;color:#2b5fb3}
code{font-size:12px;background:#f0f2f5;padding:1px 4px;border-radius:3px;word-break:break-all}
"""


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def number(value: Any, digits: int = 6) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(v):
        return str(v)
    return f"{v:.{digits}g}"


def _cell(value: Any) -> str:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f'<td class="n">{esc(number(value))}</td>' if numeric else f"<td>{esc(value)}</td>"


def table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def facts(rows: list[tuple[str, Any]]) -> str:
    return "<table><tbody>" + "".join(f"<tr><th>{esc(k)}</th>{_cell(v)}</tr>" for k, v in rows) + \
        "</tbody></table>"


def image(images: Mapping[str, bytes], key: str, caption: str) -> str:
    data = images.get(key)
    if not data:
        return ""
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{encoded}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def _card(value: str, label: str) -> str:
    return f'<div class="card"><b>{esc(value)}</b><span>{esc(label)}</span></div>'


def _summary(c: ReportContent) -> str:
    cards = []
    best = c.best
    if best is not None:
        spread = f" ± {number(best.std, 3)}" if best.std is not None else ""
        cards.append(_card(f"{number(best.value)}{spread}", f"best CV {c.metric} (trial {best.number}), optimistic"))
    if c.test_score is not None:
        cards.append(_card(number(c.test_score), f"test {c.metric}, held-out rows"))
    if c.nested is not None:
        cards.append(_card(f"{number(c.nested.mean)} ± {number(c.nested.std, 3)}",
                           f"expected {c.metric} of a model tuned this way (nested CV)"))
    total = sum(c.counts.values())
    states = ", ".join(f"{n} {s}" for s, n in sorted(c.counts.items()))
    cards.append(_card(str(total), f"trials ({states})" if states else "trials"))
    direction = "higher is better" if c.greater_is_better else "lower is better"
    return f'<div class="cards">{"".join(cards)}</div><p class="note">{esc(c.metric)}: {esc(direction)}.</p>'


def _best(c: ReportContent) -> str:
    best = c.best
    if best is None:
        return '<p class="note">No trial completed.</p>'
    rows = [[name, value] for name, value in c.best_params.items()]
    out = table(["Hyperparameter", "Value"], rows)
    if best.folds:
        out += "<h3>Fold scores</h3>" + table([f"Fold {i + 1}" for i in range(len(best.folds))], [list(best.folds)])
    return out


def _part_tables(part: Any, metric: str, chosen: float | None = None) -> str:
    out = []
    if part.classification is not None:
        r = part.classification.report
        rows = [[label, r.precision[i], r.recall[i], r.f1[i], int(r.support[i])] for i, label in enumerate(r.labels)]
        rows.append(["macro average", *r.macro, int(r.support.sum())])
        rows.append(["weighted average", *r.weighted, int(r.support.sum())])
        out.append(table(["Class", "Precision", "Recall", "F1", "Support"], rows))
        extra = [("Accuracy", r.accuracy)]
        if part.classification.roc_auc is not None:
            extra.append(("ROC AUC" + (" (one-vs-rest, macro)" if len(r.labels) > 2 else ""),
                          part.classification.roc_auc))
        if part.classification.average_precision is not None:
            extra.append(("Average precision", part.classification.average_precision))
        out.append(facts(extra))
        if part.classification.note:
            out.append(f'<p class="note">{esc(part.classification.note)}</p>')
        if part.classification.thresholds is not None:
            out.append(_threshold_table(part, chosen if chosen is not None else part.classification.thresholds.best_f1))
    if part.regression is not None:
        g = part.regression
        out.append(facts([("R²", g.r2), ("RMSE", g.rmse), ("MAE", g.mae)]))
        out.append(table(["Actual from", "to", "Rows", "MAE", "RMSE", "Mean residual"],
                         [[d.low, d.high, d.count, d.mae, d.rmse, d.bias] for d in g.deciles]))
    if part.clustering is not None:
        k = part.clustering
        out.append(table(["Cluster", "Rows"], [[i, int(n)] for i, n in enumerate(k.sizes)]))
        out.append(facts([("Mean silhouette", k.score)]))
        if k.sampled:
            out.append(f'<p class="note">Silhouettes of a seeded sample of {k.sampled:,} rows.</p>')
        if k.note:
            out.append(f'<p class="note">{esc(k.note)}</p>')
    if part.importance is not None:
        imp = part.importance
        rows = [[imp.columns[i], imp.mean[i], imp.std[i]] for i in imp.order()]
        out.append(f"<h3>Permutation importance ({esc(imp.folds)} model(s) × {esc(imp.repeats)} repeats)</h3>")
        out.append(table(["Column", f"Drop in {metric}", "± std"], rows))
    return "".join(out)


def _threshold_table(part: Any, chosen: float) -> str:
    """Two classes: the matrix the model's own threshold gives, and the one the best-F1 threshold would."""
    from ..diagnostics.classification import matrix_at, positive_scores

    held, th = part.held_out, part.classification.thresholds
    truth = (held.y_true == held.classes[1]).astype(int)
    scores = positive_scores(held.proba, held.decision)
    rows = []
    for name, t in (("the model's own", th.default), ("best F1 on the CV rows", chosen)):
        m = matrix_at(truth, scores, t)
        tp, fp, fn, tn = int(m[1, 1]), int(m[0, 1]), int(m[1, 0]), int(m[0, 0])
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        rows.append([f"{name} ({number(t, 3)})", tn, fp, fn, tp, precision, recall])
    return (f"<h3>Decision threshold on the {esc(th.score_name)} of {esc(th.positive)}</h3>"
            + table(["Threshold", "True negatives", "False positives", "False negatives", "True positives",
                     "Precision", "Recall"], rows))


def _results(c: ReportContent, images: Mapping[str, bytes]) -> str:
    d = c.diagnostics
    if d is None:
        return '<p class="note">Not computed.</p>'
    parts = d.parts
    one = " one" if len(parts) == 1 else ""
    head = "".join(f"<h3>{esc(p.label)}: {p.n:,} rows" +
                   (f", {esc(d.metric)} {esc(number(p.score))}" if math.isfinite(p.score) else "") + "</h3>"
                   for p in parts)
    out = [f'<p>Trial {esc(d.trial)} with {esc(", ".join(f"{k}={v}" for k, v in d.params.items()))}.</p>', head]
    for note in d.notes:
        out.append(f'<p class="note">{esc(note)}.</p>')
    for key, title in [*CHARTS.get(d.task, []), PERMUTATION]:
        figures = "".join(image(images, f"{p.kind}-{key}", f"{title} — {p.label}") for p in parts)
        if figures:
            out.append(f"<h3>{esc(title)}</h3><div class=\"pair{one}\">{figures}</div>")
    first = parts[0].classification
    chosen = first.thresholds.best_f1 if first is not None and first.thresholds is not None else None
    tables = "".join(f"<div><h3>{esc(p.label)}</h3>{_part_tables(p, d.metric, chosen)}</div>" for p in parts)
    out.append(f'<div class="pair{one}">{tables}</div>')
    return "".join(out)


def _estimate(c: ReportContent) -> str:
    n = c.nested
    if n is None:
        return ('<p class="note">Nested cross-validation was not run. It repeats the whole search inside outer '
                'folds and scores each winner on rows its search never saw (Results tab → Honest estimate, or '
                '<code>hpgui report --nested K</code>).</p>')
    rows = [[f.fold + 1, f.rows, f.inner_score, f.outer_score, f.trials,
             ", ".join(f"{k}={v}" for k, v in f.params.items())] for f in n.folds]
    optimistic = f" against the optimistic best CV score {number(n.optimistic)}" if n.optimistic is not None else ""
    return (f"<p>Expected {esc(c.metric)} of a model tuned this way: <b>{esc(number(n.mean))} ± "
            f"{esc(number(n.std, 3))}</b> over {len(n.folds)} outer folds{esc(optimistic)}; "
            f"{esc(n.trials_per_search)} trials per inner search.</p>"
            + table(["Outer fold", "Rows", "Inner best CV", "Outer score", "Trials", "Chosen configuration"], rows)
            + "".join(f'<p class="note">{esc(note)}.</p>' for note in n.notes))


def render(c: ReportContent, images: Mapping[str, bytes]) -> str:
    nav = "".join(f'<a href="#{k}">{esc(v)}</a>' for k, v in SECTIONS.items())
    importance = image(images, "importance", "Hyperparameter importance (PED-ANOVA)")
    if not importance:
        importance = f'<p class="note">{esc(c.importance_note or "Hyperparameter importance was not computed.")}</p>'
    body = {
        "summary": _summary(c),
        "data": facts(c.dataset) + "<h3>Features</h3>" + table(["Column", "Kind", "Missing", "Distinct"],
                                                                 [list(col) for col in c.columns]),
        "setup": facts(c.setup) + "<h3>Search space</h3>" + table(["Hyperparameter", "Range"],
                                                                   [list(s) for s in c.space]),
        "best": _best(c),
        "results": _results(c, images),
        "estimate": _estimate(c),
        "history": image(images, "history", f"{c.metric} of every trial, best so far as a line") + importance,
        "trials": table(c.top_header, c.top_rows),
        "versions": facts([(k, v) for k, v in c.versions.items()]
                          + [("Data SHA-256", dict(c.dataset).get("SHA-256", ""))]),
    }
    sections = "".join(f'<section id="{k}"><h2>{esc(SECTIONS[k])}</h2>{body[k]}</section>' for k in SECTIONS)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{esc(c.title)}</title>"
            f"<style>{_STYLE}</style></head><body><main><h1>{esc(c.title)}</h1>"
            f'<p class="meta">Study {esc(c.study)} in {esc(c.storage)} · {esc(c.task)} · generated {esc(c.generated)}'
            f"</p><nav>{nav}</nav>{sections}</main></body></html>\n")


def write(path: str | os.PathLike, text: str) -> Path:
    """Write the report whole or not at all (a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
