"""Zero-shot retrieval on N-MNIST + FSDD, as its protocol (bench/studies/zeroshot_nmnist_fsdd.md) says.

    python bench/studies/zeroshot_nmnist_fsdd.py [--data-dir ../shared/data] [--out DIR] [--table-only]
                                                 [--json PATH] [--set KEY=VALUE ...]

Runs ``neurosim run --task zeroshot --config configs/zeroshot-nmnist-fsdd.toml`` on the ideal chip and on
rram-40nm-256kb with the projection on the crossbar, writes bench/studies/zeroshot_nmnist_fsdd.json (the
commit, the commands and every figure the study page shows) and prints the page's table. ``--table-only``:
print the table from the JSON already written, running nothing. ``--set``: extra keys for both runs
(a smoke test at small settings, written with ``--json`` elsewhere; the study itself sets none).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from provenance import REPO, git_commit, run_chips  # noqa: E402

RESULT = Path(__file__).with_suffix(".json")
CONFIG = "configs/zeroshot-nmnist-fsdd.toml"
RUNS = {"ideal": [], "rram-40nm-256kb": ["--set", "zeroshot.hardware=crossbar"]}
DIRECTIONS = ("audio_to_image", "image_to_audio")


def command(chip: str, data_dir: Path, extra: list[str]) -> list[str]:
    """The ``neurosim`` arguments of one chip's run (``--out`` apart)."""
    sets = [arg for key in extra for arg in ("--set", key)]
    return ["run", "--task", "zeroshot", "--config", CONFIG, "--chip", chip, "--data-dir", str(data_dir),
            *RUNS[chip], *sets]


def extract(report: dict) -> dict:
    """The figures the study page shows, from one run's report.json."""
    z = report["zeroshot"]
    clip = z["results"]["clip"]
    keep = ("mean", "std", "ci95", "chance", "p_vs_chance", "per_seed", "epochs", "queries")
    cells = {protocol: {split: {d: {k: clip[protocol][split][d][k] for k in keep}
                                for d in DIRECTIONS} for split in ("seen", "unseen")}
             for protocol in ("honest", "paper_rule", "final", "untrained")}
    for split in ("seen", "unseen"):
        for d in DIRECTIONS:
            honest = clip["honest"][split][d]
            cells["honest"][split][d].update(bootstrap=honest["bootstrap"],
                                             hubness={k: v for k, v in honest["hubness"].items() if k != "per_seed"})
    return {"samples": z["samples"], "validation_groups": z["validation_groups"], "classes": z["classes"],
            "seeds": z["seeds"], "results": cells,
            "seeds_passing_paper_thresholds": clip["paper_rule"]["seeds_passing_thresholds"],
            "crossbar_seed0_honest": z["hardware"].get("crossbar_seed0_honest"),
            "energy_per_query_J": z["energy_per_query_J"], "skipped_corrupt": report["dataset"]["skipped_corrupt"]}


def pct(x: float) -> str:
    return f"{100 * x:.1f}"


def cell(c: dict, full: bool) -> str:
    text = f"{pct(c['mean'])} ± {pct(c['std'])}"
    if full:
        text += f" [{pct(c['ci95'][0])}, {pct(c['ci95'][1])}], p = {c['p_vs_chance']:.2g}"
        if "bootstrap" in c:
            text += f", bootstrap p = {c['bootstrap']['p_vs_chance']:.2g}"
    return text


def hubs(c: dict) -> str:
    h = c["hubness"]
    return (f"{pct(h['top1_share'])} % / {h['distinct']:.0f} of {h['candidates']}"
            + (" **few hubs**" if h["rests_on_few_hubs"] else ""))


def table(result: dict) -> str:
    rows = ["| chip | selection | seen a→i | seen i→a | unseen a→i | unseen i→a | unseen hubness a→i; i→a |",
            "|---|---|---|---|---|---|---|"]
    for chip, run in result["runs"].items():
        last = run["results"]["final"]["seen"][DIRECTIONS[0]]["epochs"][0]
        names = {"honest": "**honest** (validation speaker)", "paper_rule": "paper's rule (test pools)",
                 "final": f"last epoch ({last})", "untrained": "untrained (random projection)"}
        for protocol, name in names.items():
            r = run["results"][protocol]
            honest = protocol == "honest"
            row = [chip, name, *(cell(r["seen"][d], False) for d in DIRECTIONS),
                   *(cell(r["unseen"][d], protocol in ("honest", "paper_rule")) for d in DIRECTIONS),
                   "; ".join(hubs(r["unseen"][d]) for d in DIRECTIONS) if honest else ""]
            rows.append("| " + " | ".join(row) + " |")
    return "\n".join(rows)


def figures(result: dict) -> dict:
    """Key ``retrieval``: the honest protocol's top-1 retrieval accuracy (%, mean over the seeds with its
    95 % t-interval) per chip and direction, seen and unseen classes, with chance drawn as a line; drawn
    only from the study JSON."""
    from studyplots import grouped_bars, new_figure

    fig, axes = new_figure(panels=2, width=9.0, height=3.4)
    for ax, split in zip(axes, ("seen", "unseen")):
        series = {}
        for chip, run in result["runs"].items():
            cells = [run["results"]["honest"][split][d] for d in DIRECTIONS]
            series[chip] = {"value": [100 * c["mean"] for c in cells], "low": [100 * c["ci95"][0] for c in cells],
                            "high": [100 * c["ci95"][1] for c in cells]}
        grouped_bars(ax, [d.replace("_to_", " → ") for d in DIRECTIONS], series,
                     value_label="top-1 retrieval accuracy (%)")
        chance = {run["results"]["honest"][split][d]["chance"] for run in result["runs"].values() for d in DIRECTIONS}
        for c in sorted(chance):
            ax.axhline(100 * c, color="grey", ls="--", lw=0.8)
        ax.set_title(f"{split} classes (dashed: chance)", fontsize="small")
    return {"retrieval": fig}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=Path("/tmp/zeroshot-nmnist-fsdd"))
    parser.add_argument("--table-only", action="store_true")
    parser.add_argument("--json", type=Path, default=RESULT)
    parser.add_argument("--set", dest="extra", action="append", default=[])
    args = parser.parse_args(argv)
    if not args.table_only:
        result: dict = {"commit": git_commit(), "protocol": "bench/studies/zeroshot_nmnist_fsdd.md", "runs": {},
                        "commands": {}, "wall_s": {}}
        run_chips({chip: command(chip, args.data_dir, args.extra) for chip in RUNS}, args.out, result, args.json,
                  extract)
    print(table(json.loads(args.json.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
