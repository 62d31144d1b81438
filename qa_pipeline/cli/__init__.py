"""The ``qa-pipeline`` command: one module per command group, each thin.

``batch`` (run, serve, import, rescore), ``show``, ``rubric``. Commands import the stages they
need when they run, so ``--help`` loads only typer and rich.
"""

from __future__ import annotations

import typer

from qa_pipeline.cli import batch, export, rubric, show

__all__ = ["app"]

app = typer.Typer(
    help="Score contact-centre calls against QA rubrics, with evidence for every point.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"qa-pipeline {version('qa-pipeline')}")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Score contact-centre calls against QA rubrics, with evidence for every point."""


app.command()(batch.run)
app.command()(batch.serve)
app.command("import")(batch.import_)
app.command("rescore")(batch.rescore)
app.command()(show.show)
app.command()(export.export)
app.add_typer(rubric.rubric_app, name="rubric")
