"""The README's CLI reference is generated from the argparse parser: every command's block equals
:func:`neurosim.cli.reference_markdown` for it, and the reference lists every option once."""

from __future__ import annotations

import re
from pathlib import Path

from neurosim.cli import build_parser, reference_markdown
from neurosim.tasks import task_names

REPO = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"<!-- cli-reference:start (\S+) \(generated: [^\n]*\) -->\n(.*?)\n<!-- cli-reference:end \1 -->",
                   re.S)


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return list(sub.choices)


def test_readme_cli_reference_is_the_generated_text_for_every_command():
    blocks = dict(BLOCK.findall((REPO / "README.md").read_text()))
    assert sorted(blocks) == sorted(_commands()), "README's CLI reference misses or has extra command blocks"
    stale = [cmd for cmd, text in blocks.items() if text != reference_markdown(cmd)]
    assert not stale, f"README's CLI reference is stale for {stale}: regenerate it (the command in its marker)"


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
