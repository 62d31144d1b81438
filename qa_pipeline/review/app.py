"""The review app's routes: each reads or writes through store/ and batch/, hands the result to
pages.py and a template. Nothing here computes a score or writes SQL.

Security (README, "Review app"): loopback without login, or login with argon2id passwords;
signed session cookies (SameSite=strict); a CSRF token on every form; autoescaped templates;
audio looked up by call id in the store, never by a path from the request; a CSP that allows
only the app's own scripts.
"""

from __future__ import annotations

import mimetypes
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from qa_pipeline.batch.reports import agent_report
from qa_pipeline.errors import QAPipelineError
from qa_pipeline.reports.html import render as render_report
from qa_pipeline.review import auth, pages
from qa_pipeline.review.options import ReviewOptions
from qa_pipeline.store import Override, Store
from qa_pipeline.store import review as reads
from qa_pipeline.store.lock import StoreBusy
from qa_pipeline.store.reports import Period

__all__ = ["ReviewRefused", "create_app"]

_HERE = Path(__file__).resolve().parent
_VERDICTS = ("pass", "fail", "na")
_OPEN_PATHS = ("/login", "/static/")
_HEADERS = {
    # Scripts only from the app itself; the coaching report (an iframe's srcdoc) has inline CSS.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; media-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class ReviewRefused(QAPipelineError):
    """The app would expose calls without login."""


def create_app(options: ReviewOptions) -> FastAPI:
    """The review app over the store at ``options.db``.

    Raises:
        ReviewRefused: asked to listen beyond loopback while the store has no users.
    """
    store = Store(options.db)
    login = reads.user_count(store) > 0
    if not login and not auth.is_loopback(options.host):
        raise ReviewRefused(
            f"review: refusing to serve {options.db.name} on {options.host} without login. "
            f"Fix: add a reviewer with `qa-pipeline review add-user NAME --db {options.db}`, "
            f"or listen on 127.0.0.1"
        )
    app = FastAPI(title="qa-pipeline review", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=_HERE / "templates")
    templates.env.globals.update(clock=pages.clock, label=pages.label, login=login)
    templates.env.filters["score"] = _score

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        path = request.url.path
        if login and not request.session.get("user") and not path.startswith(_OPEN_PATHS):
            return RedirectResponse(f"/login?next={_safe_next(str(request.url.path))}", 303)
        response = await call_next(request)
        response.headers.update(_HEADERS)
        return response

    # Added after `guard`, so it runs first: the session is there when guard looks.
    app.add_middleware(
        SessionMiddleware,
        secret_key=reads.session_secret(store),
        session_cookie="qa_review",
        max_age=options.session_max_age_s,
        same_site="strict",
        https_only=options.secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")

    @app.exception_handler(StoreBusy)
    async def busy(request: Request, exc: StoreBusy) -> Response:
        return _page(
            templates,
            request,
            "busy.html",
            {"message": str(exc)},
            status=503,
            headers={"Retry-After": "5"},
        )

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        return _page(templates, request, name, context, status)

    @app.get("/", response_class=HTMLResponse)
    def calls(request: Request) -> Response:
        wanted = pages.filter_from_query(dict(request.query_params), options.page_size)
        rows, total = reads.calls_page(store, wanted)
        return page(
            request,
            "calls.html",
            {
                "rows": list(rows.iter_rows(named=True)),
                "total": total,
                "wanted": wanted,
                "choices": reads.choices(store),
                "page": wanted.offset // wanted.limit + 1,
                "pages": max((total + wanted.limit - 1) // wanted.limit, 1),
                "query": lambda **changes: pages.list_query(wanted, **changes),
                "sorts": [s.value for s in reads.ListSort],
            },
        )

    @app.get("/calls/{call_id}", response_class=HTMLResponse)
    def call(request: Request, call_id: str) -> Response:
        review = reads.call_review(store, call_id)
        if review is None:
            return page(request, "missing.html", {"what": f"call {call_id}"}, status=404)
        neighbours = _neighbours(store, request, options.page_size)
        return page(
            request,
            "call.html",
            {
                "p": pages.call_page(review),
                "verdicts": _VERDICTS,
                "has_audio": _audio_path(review.detail.call) is not None,
                "reviewer": request.session.get("user") or options.reviewer,
                **neighbours,
            },
        )

    @app.get("/calls/{call_id}/audio")
    def audio(call_id: str) -> Response:
        row = store.query("call_row", call_id=call_id)
        path = None if row.is_empty() else _audio_path(row.row(0, named=True))
        if path is None:
            return Response("no recording for this call", status_code=404)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=kind)

    @app.post("/calls/{call_id}/items/{item_id}")
    def override(
        request: Request,
        call_id: str,
        item_id: str,
        verdict: str = Form(...),
        comment: str = Form(""),
        csrf_token: str = Form(""),
        back: str = Form(""),
    ) -> Response:
        if not auth.check_csrf(request.session, csrf_token):
            return Response("the form expired: reload the page and try again", status_code=403)
        if verdict not in _VERDICTS:
            return Response("verdict must be pass, fail or na", status_code=422)
        score = store.query("latest_call_score", call_id=call_id)
        if score.is_empty():
            return page(request, "missing.html", {"what": f"call {call_id}"}, status=404)
        store.save_override(
            Override(
                call_id=call_id,
                rubric_sha256=score["rubric_sha256"][0],
                item_id=item_id,
                verdict=verdict,
                reviewer=request.session.get("user") or options.reviewer,
                reason=comment.strip()[:2000],
                created_at=datetime.now(),
            )
        )
        query = back if back.startswith("?") and "\n" not in back else ""
        return RedirectResponse(f"/calls/{_quote(call_id)}{query}#item-{item_id}", 303)

    @app.get("/agents/{agent_id}", response_class=HTMLResponse)
    def agent(request: Request, agent_id: str) -> Response:
        period = Period(_day(request, "since"), _day(request, "until"))
        report = agent_report(store, agent_id, period)
        if report is None:
            return page(request, "missing.html", {"what": f"agent {agent_id}"}, status=404)
        return page(
            request,
            "agent.html",
            {"agent_id": agent_id, "report": render_report(report), "period": period},
        )

    @app.get("/calibration", response_class=HTMLResponse)
    def calibration(request: Request) -> Response:
        since, until = _day(request, "since"), _day(request, "until")
        result = pages.calibration(
            reads.machine_human(store, since, until), reads.reviewer_pairs(store, since, until)
        )
        return page(request, "calibration.html", {"c": result, "since": since, "until": until})

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return page(request, "login.html", {"next": _safe_next(request.query_params.get("next"))})

    @app.post("/login")
    def log_in(
        request: Request,
        username: str = Form(""),
        password: str = Form(""),
        csrf_token: str = Form(""),
        next: str = Form("/"),
    ) -> Response:
        if not auth.check_csrf(request.session, csrf_token):
            return Response("the form expired: reload the page and try again", status_code=403)
        known = auth.valid_username(username)
        stored = reads.password_hash(store, username) if known else None
        if not auth.verify_password(stored, password):
            context = {"next": _safe_next(next), "error": "Wrong name or password."}
            return page(request, "login.html", context, status=401)
        request.session.clear()  # a new session on login: no fixation
        request.session["user"] = username
        return RedirectResponse(_safe_next(next), 303)

    @app.post("/logout")
    def log_out(request: Request, csrf_token: str = Form("")) -> Response:
        if auth.check_csrf(request.session, csrf_token):
            request.session.clear()
        return RedirectResponse("/login" if login else "/", 303)

    app.state.store = store
    return app


def _page(
    templates: Jinja2Templates,
    request: Request,
    name: str,
    context: dict[str, Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {
        "csrf": auth.csrf_token(request.session),
        "user": request.session.get("user"),
        **context,
    }
    return templates.TemplateResponse(request, name, context, status_code=status, headers=headers)


def _neighbours(store: Store, request: Request, page_size: int) -> dict[str, Any]:
    """The previous and next call in the list the reviewer came from (its filters and the
    call's place in it ride along in the query string)."""
    query = dict(request.query_params)
    try:
        pos = int(query.pop("pos", ""))
    except ValueError:
        return {"back": "/", "prev": None, "next": None, "pos": None}
    wanted = pages.filter_from_query(query, page_size)
    first = max(pos - 1, 0)
    rows, _ = reads.calls_page(store, replace(wanted, offset=first, limit=3))
    ids = rows["call_id"].to_list()

    def link(index: int) -> str | None:
        k = index - first
        if index < 0 or not 0 <= k < len(ids):
            return None
        return f"/calls/{_quote(ids[k])}?{pages.list_query(wanted, pos=index)}"

    page = pos // page_size + 1
    return {
        "back": f"/?{pages.list_query(wanted, page=page if page > 1 else None)}",
        "prev": link(pos - 1),
        "next": link(pos + 1),
        "pos": pos,
    }


def _audio_path(call: dict[str, Any]) -> Path | None:
    """The recording to play: the redacted copy when one was written, else the original
    (imported transcripts have none). Only paths the store holds, never one from a request."""
    candidates = [call.get("redacted_audio_path")]
    if call.get("source_kind") == "audio":
        candidates.append(call.get("source_path"))
    for raw in candidates:
        if raw and Path(raw).is_file():
            return Path(raw).resolve()
    return None


def _day(request: Request, name: str) -> date | None:
    try:
        return date.fromisoformat(request.query_params.get(name, ""))
    except ValueError:
        return None


def _safe_next(target: str | None) -> str:
    """Only paths of this app: no open redirect to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _quote(call_id: str) -> str:
    from urllib.parse import quote

    return quote(call_id, safe="")


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"
