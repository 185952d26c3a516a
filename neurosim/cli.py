"""Command line: ``neurosim run | sweep | optimize | report | chips | datasets | config | bench``.

Thin by design: it parses arguments, calls library functions and prints. A
:class:`~neurosim.errors.NeurosimError` becomes one line on stderr and exit
code 1 (argument errors exit 2), never a traceback; ``--debug`` shows one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from neurosim.errors import NeurosimError
from neurosim.version import __version__

from neurosim.config import DEFAULT_CHIP


class _Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` with CPython gh-109475 fixed on every Python we support.

    Before the fix (Python 3.11, early 3.12) an option given the explicit value ``--``
    (``--set=--``, ``--chip=--``) lost it and stored ``[]``, which reached the library as a
    list and ended in an internal error. Here, as in fixed Pythons, the value is ``"--"``
    (converted by the option's type like any other), so it fails as the bad value it is.
    """

    def _get_values(self, action, arg_strings):
        if action.nargs is None and arg_strings == ["--"]:
            return self._get_value(action, "--")
        return super()._get_values(action, arg_strings)


def build_parser() -> argparse.ArgumentParser:
    from neurosim.engines import engine_choices
    from neurosim.tasks import DEFAULT_TASK, get_task, task_names

    parser = _Parser(
        prog="neurosim", description="Neuromorphic hardware co-design simulator: spiking networks "
        "on modelled RRAM chips, accuracy and energy side by side.")
    parser.add_argument("--version", action="version", version=f"neurosim {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="simulate a network on a chip over event data and report "
                         "accuracy and energy", description="Run a task end to end and write "
                         "OUT/report.json, OUT/report.html (its figures also as OUT/figures/*.svg and *.pdf) and "
                         "the tidy table OUT/report.csv.")
    tasks = "; ".join(f"{name}: {get_task(name).description}" for name in task_names())
    run.add_argument("--task", choices=task_names(), default=DEFAULT_TASK, metavar="NAME",
                     help=f"what to run, one of the registered tasks (default: {DEFAULT_TASK}; a task's declared "
                     f"settings apply under --config and --set, and the run names them). {tasks}")
    _add_config_args(run)
    run.add_argument("--dataset", metavar="NAME", help="dataset name, one of `neurosim datasets` (default: "
                     "run.dataset, i.e. dvs-digits)")
    run.add_argument("--data-dir", type=Path, metavar="DIR", help="data root holding the dataset's folder, e.g. "
                     "nmnist/ (or that folder itself) (default: $NEUROSIM_DATA, else ./datasets)")
    run.add_argument("--engine", choices=engine_choices(), default="auto", metavar="NAME",
                     help="simulation engine (default: auto: the available engines by priority, gpu when CuPy "
                     "sees a GPU, else cpu, falling back to brian2 for networks the fast engines do not "
                     "simulate; the run says which ran)")
    run.add_argument("--samples", type=int, metavar="N", help="samples used in all, train + test, picked "
                     "stratified by class from the seed (default: run.samples = 1000; 0 = whole dataset)")
    run.add_argument("--seed", type=int, metavar="S", help="seed of every random stream: data, chip, split, "
                     "readout (default: run.seed = 0)")
    run.add_argument("--skip-corrupt", action="store_true", help="leave out corrupt samples and count "
                     "them in the report instead of stopping (run.skip_corrupt)")
    run.add_argument("--out", type=Path, metavar="DIR",
                     help="report folder (default: neurosim-out/<task>-<chip>-<run id>); "
                     "a folder holding another run's report is refused before anything runs")
    run.add_argument("--quiet", action="store_true", help="no progress on stderr")
    run.add_argument("--no-figures", dest="draw_figures", action="store_false",
                     help="write report.html without its figures and no OUT/figures/ files (drawing them is most "
                     "of a small run's time); report.json and report.csv are the same")

    sweep = sub.add_parser(
        "sweep", help="run a grid of chip configurations × chip instances × seeds on dask (resumable)",
        description="Run every (configuration, chip instance, seed) unit of a grid on dask.distributed "
        "(a LocalCluster, or a running scheduler with --scheduler), writing each finished unit atomically "
        "under OUT; rerunning skips finished units. Options override the [sweep] table of --config.")
    sweep.add_argument("--chip", metavar="NAME|PATH",
                       help=f"chip preset name or path to a chip .toml (default: [sweep] chip, "
                       f"else {DEFAULT_CHIP})")
    sweep.add_argument("--config", type=Path, metavar="FILE",
                       help="experiment .toml; its [sweep] table may describe the "
                       "sweep (chip, task, grid, instances, seeds, set, engine, data_dir)")
    sweep.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="override one base config value for every unit (repeatable)")
    sweep.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...",
                       help="one axis of the grid, e.g. crossbar.adc_bits=4,6,8 (repeatable; every combination runs)")
    sweep.add_argument("--instances", type=int, metavar="K",
                       help="chip instances 0..K-1 per configuration (default: 1)")
    sweep.add_argument("--seeds", metavar="S1,S2,...", help="run seeds, comma-separated (default: 0)")
    sweep.add_argument("--task", choices=task_names(), metavar="NAME", help="what each unit runs (default: classify)")
    sweep.add_argument("--engine", choices=engine_choices(), metavar="NAME", help="simulation engine (default: auto)")
    sweep.add_argument("--samples", type=int, metavar="N", help="samples per unit (run.samples)")
    sweep.add_argument("--dataset", metavar="NAME", help="dataset name (run.dataset)")
    sweep.add_argument("--data-dir", type=Path, metavar="DIR", help="folder holding the dataset's files")
    sweep.add_argument("--out", type=Path, required=True, metavar="DIR",
                       help="sweep folder (created; reused to resume)")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="address of a running dask scheduler (tcp://host:8786); "
                       "default: a LocalCluster on this machine")
    sweep.add_argument("--workers", type=int, metavar="N", help="LocalCluster worker processes (default: CPU count)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    sweep.add_argument("--no-unit-figures", dest="unit_figures", action="store_false",
                       help="write each unit's report.html without its figures (drawing them is most of a small "
                       "unit's time); the unit's report.json and arrays.h5, and so the comparison page, are the same")

    opt = sub.add_parser(
        "optimize", help="co-design search (Optuna): the chips and networks on the accuracy–energy–area front, "
        "judged over chip instances (resumable)",
        description="Search the [optimize] space of --config with Optuna (NSGA-II, TPE, random or a grid): each "
        "trial runs as the units a sweep of its point over the chip instances would run, on dask (results reused "
        "from OUT/units), scored by the declared statistic over instances. Writes OUT/search.json, OUT/optimize.html "
        "and each front point as OUT/front/trial-N.chip.toml + trial-N.toml; rerunning resumes (OUT/optuna.journal).")
    opt.add_argument("--config", type=Path, required=True, metavar="FILE",
                     help="search .toml with an [optimize] table (see examples/optimize.toml); its other tables "
                     "are every trial's base config")
    opt.add_argument("--out", type=Path, default=Path("neurosim-out/optimize"), metavar="DIR",
                     help="search folder (created; reused to resume) (default: neurosim-out/optimize)")
    opt.add_argument("--trials", type=int, metavar="N", help="trials in all (default: [optimize] trials)")
    opt.add_argument("--sampler", choices=("nsga2", "tpe", "random", "grid"), metavar="NAME",
                     help="search engine (default: [optimize] sampler, else nsga2)")
    opt.add_argument("--seed", type=int, metavar="S", help="the sampler's seed (default: [optimize] seed, else 0)")
    opt.add_argument("--scheduler", metavar="ADDRESS", help="address of a running dask scheduler "
                     "(tcp://host:8786); default: a LocalCluster on this machine")
    opt.add_argument("--workers", type=int, metavar="N", help="LocalCluster worker processes (default: up to 2)")
    opt.add_argument("--quiet", action="store_true", help="no progress on stderr")
    opt.add_argument("--no-unit-figures", dest="unit_figures", action="store_false",
                     help="write each unit's report.html without its figures (drawing them is most of a small "
                     "unit's time); the unit's report.json and arrays.h5, and so the search page, are the same")

    report = sub.add_parser("report", help="compare finished sweeps on one self-contained HTML page",
                            description="Aggregate the finished units of sweep folders per configuration and "
                            "write PAGE (one self-contained HTML file) with PAGE.json, PAGE.h5 and the tidy table "
                            "PAGE.csv beside it, and every figure of the page as SVG and PDF in PAGE_figures/.")
    report.add_argument("folders", nargs="+", type=Path, metavar="DIR", help="sweep folder(s)")
    report.add_argument("--out", type=Path, required=True, metavar="PAGE", help="the HTML page to write")

    chips = sub.add_parser("chips", help="list chip presets, or show one as TOML")
    chips_sub = chips.add_subparsers(dest="chips_command", metavar="show")
    show = chips_sub.add_parser("show", help="print a chip (preset name or .toml path) fully resolved")
    show.add_argument("chip", metavar="NAME|PATH", help="preset name or path to a chip .toml file")

    datasets = sub.add_parser("datasets", help="list datasets, where neurosim looks for them and how to get them")
    datasets.add_argument("--data-dir", type=Path, metavar="DIR", help="data root to look in "
                          "(default: $NEUROSIM_DATA or ./datasets)")

    config = sub.add_parser("config", help="print the fully resolved run config as TOML",
                            description="Print the fully resolved config of a run as TOML (save it, edit it, "
                            "pass it back with --config).")
    config.add_argument("--task", choices=task_names(), default=DEFAULT_TASK, metavar="NAME",
                        help=f"the task whose declared settings apply (default: {DEFAULT_TASK})")
    _add_config_args(config)

    bench = sub.add_parser("bench", help="benchmarks that print one JSON object on stdout")
    bench_sub = bench.add_subparsers(dest="bench_command", metavar="engines")
    engines = bench_sub.add_parser("engines", help="the simulation engines side by side on one workload "
                                   "(speed, peak memory, spike agreement with brian2)")
    engines.add_argument("--neurons", type=int, default=1000, metavar="N", help="reservoir size (default: 1000)")
    engines.add_argument("--dt", default="1ms", metavar="1ms|0.1ms", help="time step: 1ms or 0.1ms; sets bins = median "
                         "sample span / dt (default: 1ms)")
    engines.add_argument("--bins", type=int, metavar="N", help="steps per sample, overriding --dt")
    engines.add_argument("--samples", type=int, default=20, metavar="K", help="samples in the batch (default: 20)")
    engines.add_argument("--engines", default="brian2,cpu,gpu", metavar="E1,E2,...",
                         help="comma-separated engines (default: brian2,cpu,gpu)")
    engines.add_argument("--dataset", default="dvs-digits", metavar="NAME",
                         help="dataset (default: built-in dvs-digits)")
    engines.add_argument("--data-dir", type=Path, metavar="DIR", help="folder holding the dataset's files")
    engines.add_argument("--no-memory", action="store_true", help="skip the tracemalloc memory run")
    return parser


def _add_config_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--chip", default=DEFAULT_CHIP, metavar="NAME|PATH",
                        help=f"chip preset name or path to a chip .toml (default: {DEFAULT_CHIP})")
    parser.add_argument("--config", type=Path, metavar="FILE", help="experiment .toml: any section, e.g. [network], "
                        "[network.lif], [input], [readout], [run], a task's [reservoir] "
                        "(`neurosim config` prints them all)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override one config value, e.g. --set network.neurons=500 (repeatable); the value "
                        "is read as TOML (1e-6, true, \"text\"), a bare word as text")


def reference_markdown(command: str | None = None) -> str:
    """The CLI reference, generated from :func:`build_parser` (docs/hooks.py fills docs/reference/cli.md).

    ``command`` (``"run"``, ``"sweep"``, …): that command's section, delimited by
    ``<!-- cli-reference:start COMMAND … -->`` and ``<!-- cli-reference:end COMMAND -->``; None: every
    section, one after the other. A section is a heading, the command's description, its synopsis and a
    table of its options (the help texts, with the allowed values of an option that has choices); a
    nested command (``chips show``, ``bench engines``) follows its parent's table in the same section.
    """
    sections = _reference_sections(build_parser())
    if command is None:
        return "\n\n".join(sections.values())
    if command not in sections:
        raise KeyError(f"no command {command!r}; commands: {', '.join(sections)}")
    return sections[command]


def _reference_sections(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Markdown per top-level command of ``parser``, in the parser's order."""
    return {name: "\n".join([f"### `neurosim {name}`", "", *_command_lines(sub, f"neurosim {name}", about)])
            for name, sub, about in _subcommands(parser)}


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser, str]]:
    """(name, parser, help) of each subcommand of ``parser``."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            found += [(name, sub, helps.get(name, "")) for name, sub in action.choices.items()]
    return found


def _command_lines(parser: argparse.ArgumentParser, prog: str, about: str) -> list[str]:
    """Description (else the parent's help for it), synopsis and options table of one command, then
    its nested commands'."""
    about = parser.description or (about[:1].upper() + about[1:] + ".")
    options = [a for a in parser._actions if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))]
    nested = _subcommands(parser)
    words = [_synopsis_word(a) for a in options] + (["[" + "|".join(n for n, _, _ in nested) + " …]"] if nested else [])
    lines = [about, "", "`" + " ".join([prog, *words]) + "`"]
    if options:
        lines += ["", "| option | meaning |", "|---|---|"]
        lines += [f"| `{_cell(_option_label(a))}` | {_cell(_meaning(a))} |" for a in options]
    for name, sub, help_text in nested:
        first, *rest = _command_lines(sub, f"{prog} {name}", help_text)
        lines += ["", f"**`{prog} {name}`**: {first}", *rest]
    return lines


def _metavar(action: argparse.Action) -> str:
    if action.metavar is not None:
        return str(action.metavar)
    return action.dest.upper() if action.option_strings else action.dest


def _option_label(action: argparse.Action) -> str:
    flag = action.option_strings[-1] if action.option_strings else _metavar(action)
    takes_value = action.option_strings and action.nargs != 0
    return f"{flag} {_metavar(action)}" if takes_value else flag


def _synopsis_word(action: argparse.Action) -> str:
    word = _option_label(action)
    if action.nargs in ("+", "*") or isinstance(action, argparse._AppendAction):
        word += " …"
    return word if action.required or not action.option_strings else f"[{word}]"


def _meaning(action: argparse.Action) -> str:
    text = action.help or ""
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        text += f" (one of: {', '.join(map(str, action.choices))})"
    return text


def _cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


#: The last parser :func:`main` built, with the registry contents it was built from.
_PARSER: tuple[tuple, argparse.ArgumentParser] | None = None


def _parser() -> argparse.ArgumentParser:
    """:func:`build_parser`, rebuilt only when a task or engine was registered since: building it is
    most of a quick command's time when ``main`` is called again in one process (~6 of ~9 ms)."""
    global _PARSER
    from neurosim.engines import engine_choices
    from neurosim.tasks import get_task, task_names

    key = (engine_choices(), tuple((name, get_task(name).description) for name in task_names()))
    if _PARSER is None or _PARSER[0] != key:
        _PARSER = (key, build_parser())
    return _PARSER[1]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``neurosim`` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return COMMANDS[args.command](args)
    except NeurosimError as exc:
        if args.debug:
            raise
        print(f"neurosim: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("neurosim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`neurosim config | head -1`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's final flush cannot fail
        return 141
    except Exception as exc:  # a bug: say so in one line unless debugging
        if args.debug or os.environ.get("NEUROSIM_DEBUG"):
            raise
        print(f"neurosim: internal error ({type(exc).__name__}: {exc}); rerun with --debug for the "
              "traceback and please report it", file=sys.stderr)
        return 1


def _load_config(args: argparse.Namespace):
    from neurosim.config import load_config

    overrides = list(args.overrides)
    for key, value in (("dataset", getattr(args, "dataset", None)),
                       ("samples", getattr(args, "samples", None)),
                       ("seed", getattr(args, "seed", None)),
                       ("skip_corrupt", getattr(args, "skip_corrupt", None) or None)):
        if value is True:
            overrides.append(f"run.{key}=true")
        elif value is not None:
            # a string as a TOML basic string: JSON's escapes are TOML's (repr would double backslashes)
            overrides.append(f"run.{key}={json.dumps(value)}" if isinstance(value, str) else f"run.{key}={value}")
    return load_config(args.chip, args.config, overrides, task=args.task)


def cmd_run(args: argparse.Namespace) -> int:
    import neurosim

    finished = neurosim.run(args.task, _load_config(args), engine=args.engine, data_dir=args.data_dir,
                            progress=not args.quiet, out=args.out or True, draw_figures=args.draw_figures)
    rows = finished.summary()
    width = max(20, *(len(name) + 2 for name, _ in rows))
    json_path, html_path = finished.saved
    paths = ("report", f"{json_path}\n{'':{width + 2}}{html_path}")
    print("\n".join(f"  {name:<{width}}{value}" for name, value in [*rows, paths]))
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from neurosim.errors import ConfigError
    from neurosim.sweep import run_sweep, spec_from_sources
    from neurosim.sweep.summary import summary_table

    overrides = list(args.overrides)
    if args.samples is not None:
        overrides.append(f"run.samples={args.samples}")
    if args.dataset is not None:
        overrides.append(f"run.dataset={json.dumps(args.dataset)}")
    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers {args.workers}: give a whole number >= 1")
    spec = spec_from_sources(args.config, chip=args.chip, task=args.task, grid=args.grid,
                             instances=args.instances, seeds=args.seeds, overrides=overrides,
                             engine=args.engine, data_dir=args.data_dir)
    outcome = run_sweep(spec, args.out, scheduler=args.scheduler, workers=args.workers,
                        progress=not args.quiet, unit_figures=args.unit_figures)
    print(summary_table(outcome))
    return 0 if outcome.complete else 1


def cmd_optimize(args: argparse.Namespace) -> int:
    import neurosim
    from neurosim.errors import ConfigError
    from neurosim.optimize.page import front_text

    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers {args.workers}: give a whole number >= 1")
    outcome = neurosim.optimize(args.config, args.out, trials=args.trials, sampler=args.sampler, seed=args.seed,
                                scheduler=args.scheduler, workers=args.workers, progress=not args.quiet,
                                unit_figures=args.unit_figures)
    print(front_text(outcome))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from neurosim.sweep.page import write_report

    paths = write_report(args.folders, args.out)
    print("\n".join(f"  {p}" for p in paths))
    return 0


def cmd_chips(args: argparse.Namespace) -> int:
    from neurosim.config import CHIP_SECTIONS, list_chips, load_config, to_toml

    if args.chips_command == "show":
        print(to_toml(load_config(args.chip), CHIP_SECTIONS), end="")
        return 0
    for name in list_chips():
        chip = load_config(name).chip
        print(f"{name:<20} {chip.description}")
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    from neurosim.data import dataset_status, list_datasets

    for info in list_datasets():
        where, present = dataset_status(info, args.data_dir)
        state = "present" if present else "missing"
        print(f"{info.name:<12} {info.modality:<7} {state:<8} {where}")
        print(f"{'':12} {info.description}")
        if info.recommended:
            settings = ", ".join(f"{k} = {v}" for k, v in info.recommended)
            print(f"{'':12} recommends {settings} (a --config file or --set wins)")
        if not present:
            print(f"{'':12} get it: {info.how_to_get}")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from neurosim.config import to_toml

    print(to_toml(_load_config(args)), end="")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    import json

    from neurosim.engines.benchmark import bench_engines, parse_dt

    if args.bench_command != "engines":
        print("usage: neurosim bench engines [--neurons N] [--dt 1ms|0.1ms] [--samples K] "
              "[--engines brian2,cpu,gpu] [--dataset NAME --data-dir DIR]", file=sys.stderr)
        return 2
    names = tuple(n.strip() for n in args.engines.split(",") if n.strip())
    result = bench_engines(neurons=args.neurons, dt=parse_dt(args.dt), samples=args.samples,
                           engines=names, dataset=args.dataset, data_dir=args.data_dir, bins=args.bins,
                           memory=not args.no_memory, log=lambda m: print(m, file=sys.stderr))
    print(json.dumps(result, indent=1))
    return 0


COMMANDS = {"run": cmd_run, "sweep": cmd_sweep, "optimize": cmd_optimize, "report": cmd_report, "chips": cmd_chips,
            "datasets": cmd_datasets, "config": cmd_config,
            "bench": cmd_bench}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
