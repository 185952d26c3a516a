"""The search's page: one self-contained HTML file in the comparison report's style.

Built from ``search.json``'s data (:func:`neurosim.optimize.driver.summary`) with the shared page shell
(:mod:`neurosim.report.html_page`) and house style (:mod:`neurosim.report.style`); figures are PNG
``data:`` URIs in the page and SVG + PDF in ``PAGE_figures/`` (:class:`~neurosim.report.figures.PageFigures`):

* the front: the first objective against the second (accuracy against dynamic energy per inference by
  default), each trial coloured by the third (area), with bars over its chip instances' range (min to
  max) on both axes; front points as diamonds, infeasible trials as crosses;
* hypervolume of the feasible trials against trials;
* each searched key's importance per objective (fANOVA, normalised).

Tables list the front (params, objective values, chip files) and every trial (state, reason).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neurosim.report.figures import PageFigures
from neurosim.report.format import format_percent, format_quantity, prefix_scale
from neurosim.report.html_page import escape, page, row, table
from neurosim.report.plots import new_figure
from neurosim.report.style import OTHER, PALETTE, series_colors, styled

__all__ = ["format_metric", "render_page", "write_page"]

#: Metric name → (display scale, unit) for axes: accuracy in %, area in mm², energy with a prefix.
_AXIS = {"accuracy": (100.0, "%"), "area": (1e6, "mm²")}


def format_metric(metric: str, value: float) -> str:
    """A metric's value in readable units (``81.25 %``, ``12.3 nJ``, ``0.172 mm²``)."""
    if metric == "accuracy":
        return format_percent(value)
    if metric in ("energy", "energy_total"):
        return format_quantity(value, "J")
    if metric == "area":
        return f"{value * 1e6:.3g} mm²"
    return f"{value:.4g}"


def _scale(metric: str, values: list[float]) -> tuple[float, str]:
    """(multiplier, axis unit) of a metric's axis."""
    if metric in _AXIS:
        return _AXIS[metric]
    if metric in ("energy", "energy_total"):
        div, prefix = prefix_scale(values)
        return 1.0 / div, f"{prefix}J"
    return 1.0, ""


def _axis_label(objective: dict, values: list[float]) -> tuple[float, str]:
    k, unit = _scale(objective["metric"], values)
    stat = f"q{objective['q']:g}" if objective["statistic"] == "quantile" else objective["statistic"]
    return k, f"{objective['metric']}{f' ({unit})' if unit else ''}, {stat} over chip instances"


@styled
def plot_front(data: dict):
    """First objective (y) against second (x), coloured by the third, with instance ranges."""
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    objectives = data["request"]["objectives"]
    done = [t for t in data["trials"] if t["state"] == "COMPLETE"]
    yo, xo = objectives[0], objectives[1 % len(objectives)]
    co = objectives[2] if len(objectives) > 2 else None
    ys = [t["values"][0] for t in done]
    xs = [t["values"][1 % len(objectives)] for t in done]
    ky, ylabel = _axis_label(yo, ys)
    kx, xlabel = _axis_label(xo, xs)
    fig = new_figure(8.0, 5.4)
    ax = fig.add_subplot()
    cmap, norm, kc = colormaps["viridis"], None, 1.0
    if co is not None and done:
        cs = [t["values"][2] for t in done]
        kc, clabel = _axis_label(co, cs)
        norm = Normalize(min(cs) * kc, max(cs) * kc if max(cs) > min(cs) else min(cs) * kc + 1e-12)
    front = set(data["front"])
    for t in done:
        x, y = t["values"][1 % len(objectives)], t["values"][0]
        px, py = t["per_instance"].get(xo["metric"], [x]), t["per_instance"].get(yo["metric"], [y])
        ax.errorbar(kx * x, ky * y, xerr=[[kx * (x - min(px))], [kx * (max(px) - x)]],
                    yerr=[[ky * (y - min(py))], [ky * (max(py) - y)]], fmt="none", ecolor=OTHER, lw=1, zorder=1)
        color = cmap(norm(kc * t["values"][2])) if norm is not None else PALETTE[0]
        if not t["feasible"]:
            ax.plot(kx * x, ky * y, "x", color=color, ms=6, mew=1.5, zorder=2)
        elif t["number"] in front:
            ax.plot(kx * x, ky * y, "D", color=color, mec="black", ms=8, mew=1.2, zorder=3)
        else:
            ax.plot(kx * x, ky * y, "o", color=color, mec=color, ms=6, alpha=0.7, zorder=2)
        if t["number"] in front:
            ax.annotate(f"#{t['number']}", (kx * x, ky * y), xytext=(5, 4), textcoords="offset points", fontsize=7)
    if norm is not None:
        from matplotlib.cm import ScalarMappable

        fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=clabel)
    ax.plot([], [], "D", color="white", mec="black", label="on the front")
    ax.plot([], [], "o", color=OTHER, label="dominated")
    ax.plot([], [], "x", color=OTHER, mew=1.5, label="infeasible (a constraint missed)")
    ax.legend(loc="best", fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title("Trials (grey bars: range over chip instances)")
    ax.grid(alpha=0.3)
    return fig


@styled
def plot_hypervolume(data: dict):
    """Hypervolume of the feasible trials among the first n, against n."""
    hv = data["hypervolume"]
    fig = new_figure(7.0, 3.8)
    ax = fig.add_subplot()
    ax.step(np.arange(1, len(hv) + 1), hv, where="post", color=PALETTE[0])
    ax.plot(np.arange(1, len(hv) + 1), hv, "o", color=PALETTE[0], ms=3)
    ax.set_xlabel("trials")
    ax.set_ylabel("hypervolume (normalised)")
    ax.set_title("Hypervolume of the feasible trials so far")
    ax.grid(alpha=0.3)
    return fig


@styled
def plot_importances(data: dict):
    """Horizontal bars: each searched key's importance, one colour per objective."""
    imp = data.get("importances", {})
    keys = [p["key"] for p in data["request"]["space"]]
    metrics = [m for m, v in imp.items() if v]
    fig = new_figure(8.0, min(10.0, 0.5 * len(keys) * max(1, len(metrics)) + 1.6))
    ax = fig.add_subplot()
    y = np.arange(len(keys))
    height = 0.8 / max(1, len(metrics))
    for i, (m, color) in enumerate(zip(metrics, series_colors(len(metrics)))):
        ax.barh(y + i * height, [imp[m].get(k, 0.0) for k in keys], height=height, color=color, label=m)
    ax.set_yticks(y + height * (len(metrics) - 1) / 2, keys)
    ax.invert_yaxis()
    ax.set_xlabel("importance (fANOVA, normalised per objective)")
    ax.set_title("Which searched key moves each objective")
    if metrics:
        ax.legend(loc="lower right", fontsize=8)
    else:
        ax.text(0.5, 0.5, "too few complete trials to estimate", transform=ax.transAxes, ha="center")
    return fig


def _point(params: dict) -> str:
    return ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in params.items())


def render_page(data: dict, figs: PageFigures, front_files: dict[int, list[str]] | None = None) -> str:
    """The page's HTML from the search's data."""
    req = data["request"]
    objectives = req["objectives"]
    done = [t for t in data["trials"] if t["state"] == "COMPLETE"]
    header = (f"<h1>Co-design search: {escape(req['task'])} on {escape(req['chip'])}</h1>"
              f"<p class=\"sub\">{len(data['trials'])} trials ({len(done)} complete, "
              f"{sum(t['feasible'] for t in done)} feasible) · sampler {escape(req['sampler'])} seed {req['seed']} · "
              f"{req['instances']} chip instances per trial · {len(data['front'])} on the front</p>")
    about = [row("Objectives", escape("; ".join(
                 f"{'maximise' if m else 'minimise'} {o['metric']} ({o['statistic']}"
                 f"{'' if o['q'] is None else ' q=' + format(o['q'], 'g')} over instances)"
                 for o, m in zip(objectives, data["maximize"]))), num=False),
             row("Constraints", escape("; ".join(_constraint_text(c) for c in req["constraints"]) or "none"),
                 num=False),
             row("Searched keys", escape("; ".join(_space_text(p) for p in req["space"])), num=False),
             row("Fixed overrides", escape(", ".join(req["overrides"]) or "none"), num=False),
             row("Hypervolume reference", escape(", ".join(
                 f"{o['metric']} {format_metric(o['metric'], r)}" + ("" if o["metric"] in data["reference_given"]
                                                                     else " (worst seen)")
                 for o, r in zip(objectives, data["reference"]))), num=False)]
    body = ["<section><h2>Search</h2>", table(about), "</section>", "<section><h2>Front</h2>"]
    if done:
        body.append(figs.add(plot_front(data), "front: trials by objective", "Each trial's objective values "
                             "(the statistic over chip instances), its range over the instances, coloured by "
                             "the third objective; diamonds are the Pareto front of the feasible trials.", "front"))
    front = {t["number"]: t for t in data["trials"]}
    rows = []
    for n in data["front"]:
        t = front[n]
        files = ", ".join(f"<code>{escape(f)}</code>" for f in (front_files or {}).get(n, []))
        rows.append("<tr>" + f"<td>#{n}</td><td>{escape(_point(t['params']))}</td>" + "".join(
            f'<td class="num">{escape(format_metric(o["metric"], v))}</td>' for o, v in zip(objectives, t["values"]))
            + f"<td>{files}</td></tr>")
    body.append(table(rows, ["trial", "settings", *(o["metric"] for o in objectives), "files"]) if rows
                else "<p class=\"note\">No feasible trial: nothing on the front.</p>")
    body += ["</section>", "<section><h2>Progress</h2>",
             figs.add(plot_hypervolume(data), "hypervolume against trials", "Normalised hypervolume of the "
                      "feasible trials among the first n (reference point above).", "hypervolume"),
             figs.add(plot_importances(data), "parameter importances", "fANOVA importance of each searched key "
                      "for each objective over the complete trials.", "importance"),
             "</section>", "<section><h2>Trials</h2>"]
    trial_rows = ["<tr>" + f"<td>#{t['number']}</td><td>{escape(t['state'].lower())}</td>"
                  f"<td>{escape(_point(t['params']))}</td><td>{escape(_trial_result(t, objectives))}</td></tr>"
                  for t in data["trials"]]
    body += [table(trial_rows, ["trial", "state", "settings", "result"]), "</section>"]
    return page(f"neurosim optimize: {req['task']} on {req['chip']}", header, body)


def _trial_result(t: dict, objectives: list[dict]) -> str:
    if t["state"] != "COMPLETE":
        return t.get("reason", "")
    values = ", ".join(f"{o['metric']} {format_metric(o['metric'], v)}" for o, v in zip(objectives, t["values"]))
    return values + ("" if t["feasible"] else " (infeasible)")


def _constraint_text(c: dict) -> str:
    bounds = " and ".join(b for b in (f"≥ {c['min']:g}" if c["min"] is not None else "",
                                      f"≤ {c['max']:g}" if c["max"] is not None else "") if b)
    where = f"on ≥ {100 * c['share']:g} % of instances" if c["share"] is not None else f"({c['statistic']})"
    return f"{c['metric']} {bounds} {where}"


def _space_text(p: dict) -> str:
    if "choices" in p:
        text = f"{p['key']} ∈ {list(p['choices'])}"
    else:
        text = f"{p['key']} ∈ [{p['low']}, {p['high']}]" + (" log" if p.get("log") else "") + (
            f" step {p['step']}" if p.get("step") else "")
    if p.get("when"):
        text += " when " + ", ".join(f"{k} ∈ {list(v)}" for k, v in p["when"])
    return text


def write_page(data: dict, path: Path, front_files: dict[int, list[str]] | None = None) -> Path:
    """Write the page ``path`` and its figures as SVG and PDF into ``PAGE_figures/``; returns ``path``."""
    from neurosim.report import write_atomic

    figs = PageFigures()
    text = render_page(data, figs, front_files)
    figs.write(path.with_name(path.stem + "_figures"))
    write_atomic(path, text)
    return path


def front_text(outcome) -> str:
    """The front as the terminal shows it (one line per front trial), then the files written."""
    spec = outcome.spec
    lines = [f"neurosim optimize: {len(outcome.trials)} trials, {len(outcome.front)} on the front "
             f"({len(outcome.computed)} units computed now, {outcome.reused} reused)"]
    for t in outcome.front_trials():
        values = " · ".join(f"{o.metric} {format_metric(o.metric, v)}" for o, v in zip(spec.objectives, t["values"]))
        lines.append(f"  #{t['number']:<4} {values}   {_point(t['params'])}")
    if not outcome.front:
        lines.append("  (no feasible trial)")
    if outcome.page is not None:
        lines.append(f"  page   {outcome.page}")
    if outcome.front_files:
        lines.append(f"  front  {outcome.front_files[0].parent}/ (trial-N.chip.toml for --chip, trial-N.toml for "
                     "--config)")
    return "\n".join(lines)
