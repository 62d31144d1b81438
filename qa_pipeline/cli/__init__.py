"""The ``qa-pipeline`` command: one module per command group, each thin.

``batch`` (run, serve, import, rescore), ``show``, ``export``, ``report``, ``review``,
``rubric``.
Commands import the stages they need when they run, so ``--help`` loads only typer and rich.
"""

from __future__ import annotations

import typer

from qa_pipeline.cli import batch, export, report, review, rubric, show

__all__ = ["app", "main"]

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
app.add_typer(report.report_app, name="report")
app.add_typer(review.review_app, name="review")


def main() -> None:
    """The ``qa-pipeline`` command. Ctrl-C or SIGTERM stops any command within seconds: calls
    already stored stay, the one being written is stored whole or not at all, and the exit
    code is 130 (SIGINT) or 143 (SIGTERM); README, "Stopping a run"."""
    import sys

    from qa_pipeline.batch.stopping import stop_on_signals, stopped_line

    with stop_on_signals() as stop:
        try:
            app(prog_name="qa-pipeline")
        except (KeyboardInterrupt, SystemExit):
            if stop.exit_code is None:
                raise
        if stop.exit_code is not None:
            sys.stderr.write(stopped_line(stop.exit_code - 128))
            sys.exit(stop.exit_code)
