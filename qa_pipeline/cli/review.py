"""``qa-pipeline review``: the QA review web app, and ``review add-user`` for its logins."""

from __future__ import annotations

import getpass
import socket
import sys
from typing import Annotated

import typer

from qa_pipeline.cli.common import DbOption, db_path, err, fail, store_busy_fails, stored_db

__all__ = ["review_app"]

MIN_PASSWORD_CHARS = 8

review_app = typer.Typer(
    help="The QA review web app: list calls, hear them, check the evidence, override verdicts.",
)


@review_app.callback(invoke_without_command=True)
def review(
    ctx: typer.Context,
    db: DbOption = None,
    host: Annotated[
        str,
        typer.Option(help="Address to listen on. Other than 127.0.0.1 needs reviewers' logins."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    reviewer: Annotated[
        str | None,
        typer.Option(help="Name overrides are saved under when nobody logs in. Default: you."),
    ] = None,
    secure_cookies: Annotated[
        bool, typer.Option(help="Send the session cookie over HTTPS only (behind a TLS proxy).")
    ] = False,
) -> None:
    """Start the review app (Ctrl-C stops it). It reads the store while a nightly run writes."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from qa_pipeline.review import ReviewOptions, ReviewRefused, create_app

    path = stored_db(db)
    options = ReviewOptions(
        db=path,
        host=host,
        port=port,
        reviewer=reviewer or _login_name(),
        secure_cookies=secure_cookies,
    )
    _check_port(host, port)
    try:
        with store_busy_fails():
            app = create_app(options)
    except ReviewRefused as exc:
        raise fail(str(exc)) from None
    shown = f"[{host}]" if ":" in host else host
    err.print(f"review app: http://{shown}:{port}/  (Ctrl-C stops it)", markup=False)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@review_app.command("add-user")
def add_user(
    username: Annotated[str, typer.Argument(help="The reviewer's login name.")],
    db: DbOption = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a reviewer who may log in to the review app (or set a new password)."""
    from qa_pipeline.review.auth import hash_password, valid_username
    from qa_pipeline.store import Store
    from qa_pipeline.store.review import add_user as store_user

    if not valid_username(username):
        raise fail(
            f"user name {username!r}: use 1 to 64 letters, digits or ._-@. Fix: pick another."
        )
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_CHARS:
        raise fail(f"the password is shorter than {MIN_PASSWORD_CHARS} characters. Fix: longer.")
    path = db_path(db)
    with store_busy_fails(), Store(path) as store:
        store_user(store, username, hash_password(password))
    err.print(f"{username} may now log in to the review app of {path.name}", markup=False)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "reviewer"


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise fail(
                f"cannot listen on {host}:{port} ({exc.strerror}). Fix: pass another --port "
                "or --host."
            ) from None
