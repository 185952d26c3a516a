"""The docs' CLI reference (docs/reference/cli.md) is generated from the argparse parser: every command's
block is :func:`neurosim.cli.reference_markdown` for it, and the reference lists every option once."""

from __future__ import annotations

import re

from docpages import hooks, page
from neurosim.cli import build_parser, reference_markdown
from neurosim.tasks import task_names

MARKER = re.compile(r"^<!-- generate: cli-(\S+) -->$", re.M)


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return list(sub.choices)


def test_docs_cli_reference_is_the_generated_text_for_every_command():
    text = page("reference/cli.md")
    commands = MARKER.findall(text)
    assert sorted(commands) == sorted(_commands()), "docs/reference/cli.md misses, repeats or has extra command blocks"
    shown = hooks().expand(text)
    missing = [cmd for cmd in commands if reference_markdown(cmd) not in shown]
    assert not missing, f"the built CLI reference lacks the generated text of {missing}"


def test_reference_lists_each_option_once_with_its_help_and_every_task():
    text = reference_markdown("run")
    rows = [m.group(1) for m in re.finditer(r"^\| (`.*?`) \| ", text, re.M)]
    assert len(rows) == len(set(rows)), f"an option is listed twice: {rows}"
    assert "`--task NAME`" in rows and "`--samples N`" in rows and "`--chip NAME\\|PATH`" in rows
    task_row = next(line for line in text.splitlines() if line.startswith("| `--task NAME`"))
    for name in task_names():
        assert f"{name}:" in task_row, f"--task's reference does not describe {name}"
    assert "(one of: auto," in text, "an option with choices lists them"


def test_nested_commands_are_in_their_parents_section():
    chips = reference_markdown("chips")
    assert chips.startswith("### `neurosim chips`") and "**`neurosim chips show`**" in chips
    assert "`neurosim chips show NAME|PATH`" in chips
    assert "`neurosim bench engines [--neurons N]" in reference_markdown("bench")
    assert reference_markdown() == "\n\n".join(reference_markdown(c) for c in _commands())
