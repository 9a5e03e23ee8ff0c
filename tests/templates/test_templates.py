"""The Jinja2 templates stay in step with the renderer and are configured safely."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import meta

import templates
from templates.render import OutputKind, _environment

TEMPLATE_DIR = Path(templates.__file__).resolve().parent


@pytest.mark.parametrize("kind", list(OutputKind))
def test_templates_read_only_the_context(kind: OutputKind) -> None:
    env = _environment(kind)
    for name in (kind.value, "_tables.html.j2"):
        source = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
        assert meta.find_undeclared_variables(env.parse(source)) <= {"ctx"}


def test_markup_outputs_autoescape_and_plain_text_does_not() -> None:
    assert _environment(OutputKind.HTML).autoescape is True
    assert _environment(OutputKind.MARKDOWN).autoescape is True
    assert _environment(OutputKind.TEXT).autoescape is False
