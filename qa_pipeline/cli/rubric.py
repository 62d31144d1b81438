"""``qa-pipeline rubric``: rubric tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qa_pipeline.cli.common import fail, out
from qa_pipeline.resources import data_dir

__all__ = ["rubric_app"]

rubric_app = typer.Typer(help="Rubric tools.", no_args_is_help=True)


@rubric_app.command("check")
def rubric_check(
    file: Annotated[Path, typer.Argument(help="Rubric YAML to validate.")] = data_dir("rubrics")
    / "default.yaml",
) -> None:
    """Validate a rubric: schema, detectors, ids, weights, regular expressions."""
    from qa_pipeline.errors import InputError
    from qa_pipeline.scoring.rubric import load_rubric

    try:
        loaded = load_rubric(file)
    except InputError as exc:
        raise fail(str(exc), code=1) from exc
    weight = sum(i.weight for i in loaded.items)
    from qa_pipeline.reports.text import for_markup

    out.print(
        f"{for_markup(file)}: rubric {for_markup(loaded.id)} v{for_markup(loaded.version)} is "
        f"valid: {len(loaded.items)} items, total weight {weight:g}, sha256 {loaded.sha256[:12]}"
    )
