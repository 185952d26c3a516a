"""A griffe extension for the API reference: the package's docstrings use Sphinx roles
(``:class:`~neurosim.config.Config```) and double backquotes; Markdown shows them as code."""

from __future__ import annotations

import re

import griffe

#: ``:role:`target``` or ``:role:`~a.b.target``` (the tilde: show the last name only).
ROLE = re.compile(r":(?:class|func|meth|data|attr|mod|exc|obj|ref):`(~?)([^`]+)`")
DOUBLE = re.compile(r"(?<!`)``(?!`)")


def markdown_roles(text: str) -> str:
    """``text`` with each Sphinx role as inline code and ````x```` as ```x```."""
    def code(match: re.Match) -> str:
        target = match.group(2)
        return f"`{target.rsplit('.', 1)[-1] if match.group(1) else target}`"

    return DOUBLE.sub("`", ROLE.sub(code, text))


class SphinxRoles(griffe.Extension):
    def on_instance(self, *, obj, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown_roles(obj.docstring.value)
