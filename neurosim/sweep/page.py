"""The comparison page of one or more sweeps: one self-contained HTML file.

Plots are PNG images inlined as ``data:`` URIs (drawn on an Agg canvas in the house style of
:mod:`neurosim.report.style`, as the run report's), styles are inline (the page shell is the run
report's, :mod:`neurosim.report.html_page`): the page needs no network and no other file. Beside it,
:func:`write_report` writes every figure as SVG and PDF into ``PAGE_figures/`` and the units' numbers as
a tidy table ``PAGE.csv`` (:mod:`neurosim.report.tidy`). Every axis names its quantity and unit. The
header says what ran (dataset, samples, network, chip, readout, engine, seeds, instances, fixed
overrides, commit: :func:`neurosim.sweep.ran.what_ran`) and warns when a test split has fewer than 100
samples. Figures (each a ``<figure>`` with a caption):

* the primary headline metric (the first the task declares, e.g. test accuracy) per configuration
  over chip instances (box plot with every instance's point);
* energy per inference per configuration (the same);
* the headline–energy plane with 95 % intervals and the Pareto front (dominated only where the
  difference is significant, :mod:`neurosim.sweep.front`), with each configuration's share of
  chip instances on which it is on the front;
* the energy breakdown by component per configuration (mean over instances; the largest components
  each in its own colour, the rest as "other", all of them in the table below it);
* the headline against each swept key, with 95 % intervals (one line per value of the others);
* improvement over the digital baseline(s) per configuration, with 95 % intervals.

Tables give each configuration's mean, spread, 95 % interval and range, the failures the
manifests record, and the provenance (config hashes, seeds, instances, versions, engine).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurosim.report.figures import PageFigures
from neurosim.report.format import format_number, format_percent, format_quantity, format_ratio, prefix_scale
from neurosim.report.headline import Headline
from neurosim.report.html_page import escape, header_row, page, row, table
from neurosim.report.plots import integer_ticks, log_ticks, new_figure
from neurosim.report.style import OTHER, PALETTE, series_colors, styled
from neurosim.sweep.compare import BREAKDOWN, ENERGY, IMPROVEMENT, headlines

#: The chip's dynamic energy per inference (J), the headline's measure.
DYNAMIC = "energy.dynamic_J"

__all__ = ["render_page"]

#: Components the stacked breakdown draws in their own colour; the rest form "other".
_OWN_COLORS = len(PALETTE) - 1


def _values(config: dict, metric: str) -> list[float]:
    return config["metrics"].get(metric, {}).get("values", [])


def _height(n: int) -> float:
    return min(14.0, 0.42 * n + 1.6)


@styled
def plot_distribution(configs: list[dict], metric: str, title: str, unit: str):
    """Horizontal box plot per configuration, with every unit's value as a dot."""
    data = [_values(c, metric) for c in configs]
    flat = [v for d in data for v in d]
    if unit == "%":
        scale, xlabel = 100.0, f"{title} (%)"
    elif not unit:
        scale, xlabel = 1.0, title
    else:
        div, prefix = prefix_scale(flat)
        scale, xlabel = 1.0 / div, f"{title} ({prefix}{unit})"
    fig = new_figure(8.0, _height(len(configs)))
    ax = fig.add_subplot()
    y = np.arange(1, len(configs) + 1)
    ax.boxplot([np.asarray(d) * scale for d in data], positions=y, orientation="horizontal", widths=0.55,
               showfliers=False, medianprops={"color": PALETTE[5]})
    for yi, d in zip(y, data):
        offsets = np.linspace(-0.15, 0.15, len(d)) if len(d) > 1 else np.zeros(len(d))
        ax.plot(np.asarray(d) * scale, yi + offsets, "o", color=PALETTE[0], ms=3.5, alpha=0.8)
    ax.set_yticks(y, [c["label"] for c in configs])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(f"{title} over chip instances")
    ax.grid(axis="x")
    return fig


@styled
def plot_pareto(configs: list[dict], head: Headline):
    """Mean headline metric against mean energy per inference, 95 % intervals on both (grey), front
    points as filled diamonds, dominated ones as open circles."""
    acc = [c["metrics"][head.key] for c in configs]
    en = [c["metrics"][ENERGY] for c in configs]
    k = head.scale
    div, prefix = prefix_scale([e["mean"] for e in en])
    fig = new_figure(8.0, 5.2)
    ax = fig.add_subplot()
    for c, a, e in zip(configs, acc, en):
        # error bars grey; the marker says front (filled diamond) or dominated (open circle)
        ax.errorbar(e["mean"] / div, k * a["mean"],
                    xerr=[[(e["mean"] - e["ci95_low"]) / div], [(e["ci95_high"] - e["mean"]) / div]],
                    yerr=[[k * (a["mean"] - a["ci95_low"])], [k * (a["ci95_high"] - a["mean"])]],
                    fmt="none", ecolor=OTHER, capsize=3, lw=1, zorder=1)
        ax.plot(e["mean"] / div, k * a["mean"], "D" if c["pareto"] else "o", ms=7 if c["pareto"] else 6,
                color=PALETTE[5] if c["pareto"] else PALETTE[0], mfc=PALETTE[5] if c["pareto"] else "white",
                mew=1.5, zorder=3)
        ax.annotate(c["label"], (e["mean"] / div, k * a["mean"]), xytext=(4, 4),
                    textcoords="offset points", fontsize=7)
    # no staircase through the front: with the significance test its means need not be monotone
    ax.set_xlabel(f"energy per inference ({prefix}J), mean over chip instances")
    ax.set_ylabel(f"{_axis_label(head)}, mean over chip instances")
    ax.plot([], [], "D", color=PALETTE[5], label="on the front (not significantly dominated)")
    ax.plot([], [], "o", color=PALETTE[0], mfc="white", mew=1.5, label="dominated (significantly)")
    ax.legend(loc="lower right" if head.higher_is_better else "upper right", fontsize=8)
    ax.set_title(f"{head.title} against energy (grey bars: 95 % interval of the mean)")
    ax.grid(alpha=0.3)
    return fig


def _axis_label(head: Headline) -> str:
    return f"{head.label} ({head.unit})" if head.unit else head.label


def breakdown_means(configs: list[dict]) -> tuple[list[str], np.ndarray]:
    """``(components, means)``: the breakdown components any configuration reports, largest total
    first, and the mean energy per inference (J) of each, shape ``(configurations, components)``."""
    names = sorted({m[len(BREAKDOWN):] for c in configs for m in c["metrics"] if m.startswith(BREAKDOWN)})
    means = np.array([[c["metrics"].get(BREAKDOWN + k, {}).get("mean", 0.0) for k in names] for c in configs],
                     dtype=float).reshape(len(configs), len(names))
    order = sorted(range(len(names)), key=lambda i: (-means[:, i].sum(), names[i]))
    return [names[i] for i in order], means[:, order]


@styled
def plot_breakdown(configs: list[dict]):
    """Stacked horizontal bars, linear axis: mean energy per inference of each component, per
    configuration. The largest components (over all configurations) each have their own colour; the
    others, and the components at zero everywhere, are one grey "other" segment (the page's table
    lists every component)."""
    components, means = breakdown_means(configs)
    drawn = [i for i in range(len(components)) if means[:, i].sum() > 0]
    own, rest = drawn[:_OWN_COLORS], drawn[_OWN_COLORS:]
    if len(rest) == 1:  # one leftover component fits the palette's last colour
        own, rest = drawn, []
    segments = [(components[i].replace("_", " "), means[:, i], color)
                for i, color in zip(own, series_colors(len(own)))]
    if rest:
        segments.append((f"other ({len(rest)} components)", means[:, rest].sum(axis=1), OTHER))
    div, prefix = prefix_scale(list(means.sum(axis=1)))
    fig = new_figure(8.0, _height(len(configs)) + 1.2)
    ax = fig.add_subplot()
    y = np.arange(len(configs))
    left = np.zeros(len(configs))
    for name, values, color in segments:
        ax.barh(y, values / div, left=left, color=color, label=name)
        left += values / div
    ax.set_yticks(y, [c["label"] for c in configs])
    ax.invert_yaxis()
    ax.set_xlabel(f"energy per inference ({prefix}J), mean over chip instances")
    ax.set_title("Energy breakdown by component")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / max(1, len(configs))),
              ncol=min(4, max(1, len(segments))))
    return fig


def breakdown_table(configs: list[dict]) -> str:
    """Every breakdown component's mean energy per inference and share, per configuration (a
    component per row, a configuration per column)."""
    components, means = breakdown_means(configs)
    totals = means.sum(axis=1)
    rows = []
    for i, name in enumerate(components):
        cells = "".join(f'<td class="num">{escape(format_quantity(means[j, i], "J"))}<br><small>'
                        f"{escape(format_percent(means[j, i] / totals[j], 1) if totals[j] > 0 else '')}</small></td>"
                        for j in range(len(configs)))
        rows.append(f"<tr><td>{escape(name.replace('_', ' '))}</td>{cells}</tr>")
    return table(rows, ["Component", *(c["label"] for c in configs)])


def _key_unit(key: str) -> str:
    from neurosim.config import reference_rows

    for reference in reference_rows():
        if reference[0] == key:
            return reference[2]
    return ""


@styled
def plot_vs_key(configs: list[dict], key: str, others: list[str], head: Headline):
    """Headline ``head`` (mean, 95 % interval) against the values of ``key``, a line per value of ``others``."""
    metric, k = head.key, head.scale
    lines: dict[str, list[dict]] = {}
    for c in configs:
        if key in c["point"] and metric in c["metrics"]:
            name = ", ".join(f"{k.rpartition('.')[2]}={c['point'].get(k)}" for k in others) or "all"
            lines.setdefault(name, []).append(c)
    values = sorted({json_key(c["point"][key]) for cs in lines.values() for c in cs})
    numeric = all(isinstance(v[1], (int, float)) and not isinstance(v[1], bool) for v in values)
    positions = {v: (v[1] if numeric else i) for i, v in enumerate(values)}
    fig = new_figure(7.0, 4.4)
    ax = fig.add_subplot()
    for color, (name, cs) in zip(series_colors(len(lines)), sorted(lines.items())):
        cs = sorted(cs, key=lambda c: positions[json_key(c["point"][key])])
        x = [positions[json_key(c["point"][key])] for c in cs]
        m = [c["metrics"][metric] for c in cs]
        ax.errorbar(x, [k * s["mean"] for s in m],
                    yerr=[[k * (s["mean"] - s["ci95_low"]) for s in m], [k * (s["ci95_high"] - s["mean"]) for s in m]],
                    fmt="o-", color=color, capsize=3, lw=1.2, ms=4, label=name)
    if not numeric:
        ax.set_xticks(list(positions.values()), [str(v[1]) for v in values])
    else:
        integer_ticks(ax.xaxis, [float(v[1]) for v in values])
    unit = _key_unit(key)
    ax.set_xlabel(f"{key}" + (f" ({unit})" if unit else ""))
    ax.set_ylabel(f"{_axis_label(head)}, mean over chip instances")
    ax.set_title(f"{head.title} against {key} (bars: 95 % interval)")
    if len(lines) > 1:
        ax.legend()
    ax.grid()
    return fig


def json_key(value: Any) -> tuple:
    """A sortable, hashable key of a grid value (numbers before text)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


def improvement_series(configs: list[dict]) -> list[tuple[str, str]]:
    """``(metric, label)`` of each baseline's improvement factor the configurations report: every
    ``energy.baselines.<key>.dynamic_ratio`` (baseline / chip dynamic energy, the headline's measure)
    when the reports list baselines with it, else their ``.ratio`` (reports written before the
    dynamic headline), else the headline ``energy.improvement_vs_baseline``."""
    metrics = {m for c in configs for m in c["metrics"] if m.startswith("energy.baselines.")}
    keys = sorted(m for m in metrics if m.endswith(".dynamic_ratio")) or sorted(
        m for m in metrics if m.endswith(".ratio"))
    if keys:
        names = {}
        for c in configs:
            names.update(c["baselines"])
        return [(k, names.get(k.rsplit(".", 1)[0], k.split(".")[2])) for k in keys]
    return [(IMPROVEMENT, " / ".join(sorted({n for c in configs for n in c["baselines"].values()}))
             or "the baseline")]


@styled
def plot_improvement(configs: list[dict]):
    """Improvement factor over each baseline per configuration (mean, 95 % interval), log scale when wide."""
    series = improvement_series(configs)
    fig = new_figure(8.5, min(16.0, _height(len(configs)) * max(1.0, 0.6 * len(series))) + 0.6)
    ax = fig.add_subplot()
    y = np.arange(len(configs))
    height = 0.8 / len(series)
    allmeans = []
    for i, ((metric, label), color) in enumerate(zip(series, series_colors(len(series)))):
        stats = [c["metrics"].get(metric) for c in configs]
        means = np.array([s["mean"] if s else np.nan for s in stats])
        err = np.array([[s["mean"] - s["ci95_low"] if s else 0 for s in stats],
                        [s["ci95_high"] - s["mean"] if s else 0 for s in stats]])
        pos = y - 0.4 + height * (i + 0.5)
        ax.barh(pos, means, height=height * 0.9, xerr=err, color=color, capsize=2, label=label)
        if len(series) == 1:
            for yi, v in zip(pos, means):
                ax.annotate(format_ratio(v), (v, yi), xytext=(4, 0), textcoords="offset points", va="center",
                            fontsize=8)
        allmeans += [v for v in means if np.isfinite(v) and v > 0]
    ax.set_yticks(y, [c["label"] for c in configs])
    ax.invert_yaxis()
    log = bool(allmeans) and max(allmeans) / min(allmeans) > 10
    if log:
        ax.set_xscale("log")
        log_ticks(ax.xaxis, allmeans)
    ax.axvline(1.0, color="black", lw=0.8, ls="--")
    dynamic = series[0][0] == IMPROVEMENT or series[0][0].endswith(".dynamic_ratio")
    ax.set_xlabel(f"energy improvement (baseline {'dynamic ' if dynamic else ''}energy / chip "
                  f"{'dynamic ' if dynamic else ''}energy per inference, ×; >1: the chip uses less)")
    ax.set_title("Improvement over the digital baseline" + ("s" if len(series) > 1 else f": {series[0][1]}")
                 + (" (log scale)" if log else ""))
    if len(series) > 1:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    ax.margins(x=0.15)
    return fig


def _interval(stat: dict, fmt) -> str:
    return (f"{escape(fmt(stat['mean']))} ± {escape(fmt(stat['std']))}<br><small>95 % CI "
            f"{escape(fmt(stat['ci95_low']))} … {escape(fmt(stat['ci95_high']))}; range {escape(fmt(stat['min']))} … "
            f"{escape(fmt(stat['max']))}</small>")


def render_page(data: dict, failures: list[dict] = (), sources: list[str] = (),
                figs: PageFigures | None = None) -> str:
    """The comparison page (HTML text) of :func:`neurosim.sweep.compare.aggregate`'s ``data``.

    ``failures``: ``{"folder", "id", "point", "instance", "seed", "reason"}`` of units that failed
    and are not finished; ``sources``: the sweep folders; ``figs``: collects the page's matplotlib
    figures (for their SVG and PDF files) when given.
    """
    figs = figs if figs is not None else PageFigures()
    configs = data["configurations"]
    heads = headlines(data)
    head = heads[0]
    shown = [h for h in heads if all(h.key in c["metrics"] for c in configs)]
    has_acc = head in shown
    has_en = all(ENERGY in c["metrics"] for c in configs)
    ran = data.get("ran", {})
    title = (f"Sweep comparison · {', '.join(data['tasks'])} on {_list(ran.get('dataset', []))} · "
             f"{', '.join(data['chips'])}")
    header = (f"<h1>{escape(title)}</h1><p class=\"sub\">{len(configs)} configurations, "
              f"{data['n_units']} finished units (configuration × chip instance × seed) from "
              f"{escape(', '.join(sources))}; swept: {escape(', '.join(data['swept_keys']) or 'nothing')}</p>"
              + ran_block(ran) + "".join(f'<p data-warning="small-split" style="color:#8a1c1c"><strong>Warning:'
                                         f"</strong> {escape(w)}.</p>" for w in data.get("warnings", [])))
    parts = []

    # table
    fmt_j = lambda v: format_quantity(v, "J")  # noqa: E731
    head_names = ["Configuration", "Units", "Instances", "Seeds", *(h.title for h in shown)]
    head_names += ["Energy per inference"] if has_en else []
    head_names += ["Improvement"] if all(IMPROVEMENT in c["metrics"] for c in configs) else []
    parts += ["<section><h2>Configurations</h2>",
              "<p>Each configuration over its chip instances and seeds: mean ± standard deviation, "
              f"95 % Student-t interval of the mean, range. Bold: on the {escape(head.label)}–energy Pareto front.</p>",
              "<table>" + header_row(head_names)]
    for c in configs:
        cells = [f"<td>{escape(c['label'])}</td>", f'<td class="num">{len(c["units"])}</td>',
                 f'<td class="num">{escape(format_number(len(c["instances"])))}</td>',
                 f"<td>{escape(', '.join(map(str, c['seeds'])))}</td>"]
        for h in shown:
            cells.append(f'<td class="num">{_interval(c["metrics"][h.key], lambda v, h=h: h.format(v, 1))}</td>')
        if has_en:
            cells.append(f'<td class="num">{_interval(c["metrics"][ENERGY], fmt_j)}</td>')
        if "Improvement" in head_names:
            cells.append(f'<td class="num">{_interval(c["metrics"][IMPROVEMENT], format_ratio)}</td>')
        parts.append(f'<tr{" class=front" if c["pareto"] else ""}>' + "".join(cells) + "</tr>")
    parts.append("</table></section>")

    # figures
    parts.append("<section><h2>Distributions over chip instances</h2>")
    if has_acc:
        parts.append(figs.add(plot_distribution(configs, head.key, head.label, head.unit),
                              f"box plot of {head.label} per configuration",
                              f"{head.title} of every chip instance (dots) per configuration; boxes: quartiles, "
                              "whiskers: 1.5 IQR, vermilion line: median.", name="accuracy"))
    if has_en:
        parts.append(figs.add(plot_distribution(configs, ENERGY, "energy per inference", "J"),
                              "box plot of energy per inference per configuration",
                              "Energy per inference of every chip instance per configuration.", name="energy"))
    parts.append("</section>")
    if has_acc and has_en:
        front = [c["label"] for c in configs if c["pareto"]]
        test = data.get("pareto_test", "")
        parts += [f"<section><h2>{escape(head.title)}–energy Pareto front</h2>",
                  f'<p data-pareto-test>A configuration is {escape(test)}.</p>' if test else "",
                  figs.add(plot_pareto(configs, head), f"{head.label} against energy per inference",
                           f"Pareto front (no configuration is significantly better in {head.label} and "
                           f"cheaper): {'; '.join(front)}.", name="pareto"),
                  _front_share_table(configs, head), "</section>"]
    if any(m.startswith(BREAKDOWN) for c in configs for m in c["metrics"]):
        parts += ["<section><h2>Energy breakdown</h2>",
                  figs.add(plot_breakdown(configs), "stacked bars of energy per component",
                           "Mean energy per inference of each chip component per configuration (linear axis); "
                           "the table gives every component, with its share of the total.", name="breakdown"),
                  breakdown_table(configs), "</section>"]
    if has_acc and data["swept_keys"]:
        parts.append(f"<section><h2>{escape(head.title)} against each swept key</h2>")
        for key in data["swept_keys"]:
            others = [k for k in data["swept_keys"] if k != key]
            parts.append(figs.add(plot_vs_key(configs, key, others, head), f"{head.label} against {key}",
                                  f"Mean {head.label} over chip instances against {key}; error bars: 95 % "
                                  f"interval of the mean; one line per value of {', '.join(others) or 'nothing else'}.",
                                  name=f"vs:{key}"))
        parts.append("</section>")
    series = improvement_series(configs)
    if all(any(m in c["metrics"] for m, _ in series) for c in configs):
        base = "; ".join(label for _, label in series)
        parts += ["<section><h2>Improvement over the digital baseline(s)</h2>",
                  figs.add(plot_improvement(configs), "bars of improvement factor",
                           f"Baseline dynamic energy per inference divided by the chip's (the headline's "
                           f"measure: the same spikes, static power apart), per configuration (mean over "
                           f"chip instances, 95 % interval), for: {base}.", name="improvement"),
                  _baseline_table(configs), "</section>"]

    # every metric, generically (a task's own section, e.g. the reservoir task's, included)
    parts += ["<section><h2>All metrics</h2><details><summary>Every number of the units' reports, per "
              "configuration: mean ± standard deviation [95 % interval of the mean] over its units</summary>",
              "<table>" + header_row(["Configuration", "Metric", "Mean ± sd", "95 % interval", "Units"])]
    for c in configs:
        for name, stat in c["metrics"].items():
            fmt = _metric_format(name)
            parts.append(f"<tr><td>{escape(c['label'])}</td><td><code>{escape(name)}</code></td>"
                         f'<td class="num">{escape(fmt(stat["mean"]))} ± {escape(fmt(stat["std"]))}</td>'
                         f'<td class="num">{escape(fmt(stat["ci95_low"]))} … '
                         f'{escape(fmt(stat["ci95_high"]))}</td><td class="num">{stat["n"]}</td></tr>')
    parts.append("</table></details></section>")

    # failures
    parts.append("<section><h2>Failed units</h2>")
    if failures:
        parts.append("<table>" + header_row(["Sweep", "Unit", "Point", "Instance", "Seed", "Reason"]))
        for f in failures:
            parts.append(f"<tr><td>{escape(f['folder'])}</td><td><code>{escape(f['id'])}</code></td>"
                         f"<td>{escape(f['point'])}</td><td>{escape(f['instance'])}</td><td>{escape(f['seed'])}</td>"
                         f"<td>{escape(f['reason'])}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None: every unit asked for is finished.</p>")
    parts.append("</section>")

    # provenance
    parts += ["<section><h2>Provenance</h2><table>" + header_row(
        ["Configuration", "Configuration id", "Chip (hash)", "Config hashes", "Instances", "Seeds", "Engine"])]
    for c in configs:
        parts.append(f"<tr><td>{escape(c['label'])}</td><td><code>{escape(c['id'])}</code></td>"
                     f"<td>{escape(c['chip']['name'])} (<code>{escape(c['chip']['chip_hash'])}</code>)</td>"
                     f"<td><code>{escape(' '.join(c['config_hashes']))}</code></td>"
                     f"<td>{escape(', '.join(map(str, c['instances'])))}</td>"
                     f"<td>{escape(', '.join(map(str, c['seeds'])))}</td>"
                     f"<td>{escape(', '.join(c['engines']))}</td></tr>")
    parts.append("</table>")
    versions = {k: v for c in configs for k, v in c["versions"].items()}
    parts.append(table(row(k, escape(v), num=False) for k, v in versions.items()) + "</section>")
    return page(f"neurosim — {title}", header, parts, width_px=1100, table_font=".92em")


def _list(values: list) -> str:
    return ", ".join("unknown" if v is None else format_number(v) if isinstance(v, (int, float))
                     and not isinstance(v, bool) else str(v) for v in values) or "unknown"


def ran_block(ran: dict) -> str:
    """The header's "what ran" table (:func:`neurosim.sweep.ran.what_ran`'s data; several values
    where a grid key changes them)."""
    if not ran:
        return ""
    s = ran["samples"]
    samples = f"{_list(s['train'])} train, {_list(s['test'])} test"
    samples += (f", {_list(s['folds'])}-fold cross-validation over all"
                if any(f is not None for f in s["folds"]) else ", no cross-validation")
    readout = "; ".join(", ".join(f"{k} {v}" for k, v in r.items() if v is not None) for r in ran["readout"])
    network = f"{_list(ran['network']['model'])}, {_list(ran['network']['neurons'])} neurons"
    rows = [("Dataset", _list(ran["dataset"])), ("Samples per unit", samples), ("Network", network),
            ("Chip", _list(ran["chip"])), ("Readout", readout or "unknown"), ("Engine", _list(ran["engine"])),
            ("Seeds", _list(ran["seeds"])), ("Chip instances", _list(ran["instances"])),
            ("Fixed overrides", "; ".join(ran["overrides"]) or "none"), ("Commit", _list(ran["commit"]))]
    return ('<table data-ran="header">' + "".join(row(k, escape(v), num=False) for k, v in rows) + "</table>")


def _front_share_table(configs: list[dict], head: Headline) -> str:
    """Per configuration: on the front (of the means, with the significance test) and on how many
    chip instances its own unit is on that instance's front."""
    rows = []
    for c in configs:
        share = c.get("front_share")
        on = f"{share['on_front']} of {share['instances']}" if share else "-"
        rows.append(f"<tr><td>{escape(c['label'])}</td><td>{'yes' if c['pareto'] else 'no'}</td>"
                    f'<td class="num" data-front-share>{escape(on)}</td></tr>')
    return ("<p>How often each configuration is on the front of single chip instances (each "
            f"instance's {escape(head.label)} and energy, without the test):</p>"
            + table(rows, ["Configuration", "On the front", "On the front of chip instances"]))


def _metric_format(name: str):
    """A formatter for metric ``name`` from its unit suffix (``_J``, ``_s``, ``_hz``), else a plain number."""
    leaf = name.rpartition(".")[2]
    for suffix, unit in (("_J", "J"), ("_s", "s"), ("_hz", "Hz"), ("_m2", "m²")):
        if leaf.endswith(suffix) or name.startswith("energy.breakdown_J.") and unit == "J":
            return lambda v, unit=unit: format_quantity(v, unit)
    return format_number


def _baseline_table(configs: list[dict]) -> str:
    """Each baseline's and the chip's energy per inference, per configuration: dynamic energy (the
    headline's measure) where the reports carry it, beside the total with static power; a baseline
    the reports name twice (as the headline ``energy.baseline`` and in ``energy.baselines``) is
    listed once."""
    rows = ["<table>" + header_row(["Configuration", "Baseline", "Baseline dynamic energy per inference",
                                    "Chip dynamic energy per inference", "Baseline total (static included)",
                                    "Chip total (static included)"])]
    for c in configs:
        listed: set[str] = set()
        for prefix, name in sorted(c["baselines"].items()):
            stat = c["metrics"].get(f"{prefix}.per_inference_J")
            if stat is None or name in listed:
                continue
            listed.add(name)
            cells = [c["metrics"].get(f"{prefix}.dynamic_J", {}).get("mean"),
                     c["metrics"].get(DYNAMIC, {}).get("mean"), stat["mean"],
                     c["metrics"].get(ENERGY, {}).get("mean")]
            rows.append(f"<tr><td>{escape(c['label'])}</td><td>{escape(name)}</td>" + "".join(
                f'<td class="num">{escape(format_quantity(v, "J") if v is not None else "–")}</td>'
                for v in cells) + "</tr>")
    return "\n".join(rows) + "</table>"


def failed_units(folders: list, finished: set[str]) -> list[dict]:
    """Units that the latest run of each sweep folder's manifest reports failed and that are not finished."""
    from pathlib import Path

    from neurosim.sweep.store import SweepStore

    out = []
    for folder in folders:
        manifest = SweepStore(folder).read_manifest()
        if not manifest or not manifest.get("runs"):
            continue
        asked = {u["id"]: u for u in manifest.get("units", [])}
        for uid, reason in manifest["runs"][-1].get("failed", {}).items():
            if uid in finished:
                continue
            u = asked.get(uid, {})
            out.append({"folder": str(Path(folder)), "id": uid, "point": u.get("point", {}),
                        "instance": u.get("instance"), "seed": u.get("seed"), "reason": reason})
    return out


def tidy_rows(data: dict, units: list) -> tuple[list[dict], list[str]]:
    """``(rows, columns)`` of the sweep's tidy table: one row per finished unit and metric of its
    report, with its configuration id and label and one column per grid key (the value the unit ran
    with); see :mod:`neurosim.report.tidy`."""
    from neurosim.report.tidy import RUN_COLUMNS, run_rows
    from neurosim.sweep.compare import config_value

    label = {c["id"]: c["label"] for c in data["configurations"]}
    keys = list(data["grid_keys"])
    rows = []
    for u in units:
        extra = {"configuration": u.record["configuration"], "label": label[u.record["configuration"]],
                 **{k: config_value(u, k) for k in keys}}
        rows += run_rows(u.report, extra)
    columns = [RUN_COLUMNS[0], "configuration", "label", *keys, *RUN_COLUMNS[1:]]
    return rows, columns


def write_report(folders: list, page) -> tuple:
    """Aggregate sweep ``folders`` and write ``page`` (HTML) with its data beside it
    (``page`` with suffixes ``.json``, ``.h5`` and ``.csv``, the tidy table) and its figures as SVG and
    PDF in ``PAGE_figures/`` (``page``'s stem + ``_figures``); returns the HTML, JSON and HDF5 paths. The
    data's warnings (a test split of fewer than 100 samples) are printed on stderr too."""
    import sys
    from pathlib import Path

    from neurosim.errors import NeurosimError
    from neurosim.report import write_atomic
    from neurosim.report.tidy import write_tidy_csv
    from neurosim.sweep.compare import aggregate, load_units, write_json_h5

    page = Path(page)
    if page.is_dir():
        raise NeurosimError(f"--out {page}: is a folder; give a file name such as {page / 'sweep.html'}")
    if not page.parent.exists():
        try:
            page.parent.mkdir(parents=True)
        except OSError as exc:
            raise NeurosimError(f"--out {page}: cannot create {page.parent}: {exc.strerror or exc}") from exc
    units = load_units([Path(f) for f in folders])
    data = aggregate(units)
    failures = failed_units(folders, {u.record["id"] for u in units})
    data["failed_units"] = failures
    json_path, h5_path = page.with_suffix(".json"), page.with_suffix(".h5")
    if page.suffix in (".json", ".h5", ".csv"):
        raise NeurosimError(f"--out {page}: give the HTML page's name (e.g. sweep.html); its data is written beside it")
    write_json_h5(data, units, json_path, h5_path)
    rows, columns = tidy_rows(data, units)
    write_tidy_csv(rows, columns, page.with_suffix(".csv"))
    figs = PageFigures()
    text = render_page(data, failures, [str(f) for f in folders], figs)
    figs.write(page.with_name(page.stem + "_figures"))
    write_atomic(page, text)
    for warning in data["warnings"]:  # also on the page's header
        print(f"neurosim: warning: {warning}", file=sys.stderr)
    return page, json_path, h5_path
