"""The reviewer's page: the queue (/review), a case (/review/case/{id}), decided cases (/review/decided), login and logout.

Server-rendered HTML (Jinja2, autoescaped) with plain forms: each POST checks the CSRF token bound to the session, calls the
review desk through `Reviews`, and redirects (POST-redirect-GET); a refusal is shown on the page in the reader's language.
The JSON API stays at /review/status|pending|query|claim|release|decide|history.
"""

from __future__ import annotations

import difflib
import functools
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader
from starlette.datastructures import FormData
from starlette.staticfiles import StaticFiles

from contracts.envelope import utcnow
from contracts.questions import RiskCategory
from contracts.review import MAX_ANSWER_CHARS, MAX_REASON_CHARS, OPEN_STATUSES, Actor, Decision, ReviewCase, ReviewCommand
from gateway.auth import PageError, access_of, requires, sessions_of
from gateway.errors import ApiError, error_body
from gateway.pages.i18n import LANGUAGES, age_text, choose_language, translator
from gateway.pages.sessions import COOKIE, Session, password_fingerprint
from gateway.rate_limits import rate_limited
from gateway.review import Reviews, command_for_verdict, full_case, queue_key, summary
from runtime.accounts import hash_password, password_matches, split_key

PAGES = Path(__file__).resolve().parent.parent / "pages"
TEMPLATES = Environment(loader=FileSystemLoader(PAGES / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True)
# The content security policy, nosniff, framing and referrer headers of every page are gateway.security's; these pages
# show cases and answers about patients, which no cache keeps.
NO_STORE = {"Cache-Control": "no-store"}
PAGE_ROLES = ("reviewer", "auditor", "admin")
LIST_LIMIT = 200
DONE = ("claimed", "released", "decided")

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(requires("reviewer", "auditor", page=True))]
Decider = Annotated[Actor, Depends(requires("reviewer", page=True))]


async def checked_form(request: Request) -> FormData:
    """The posted form, if its CSRF token matches the session (a script sending its key in a header needs none: no other
    site can make a browser send that header; and the key was checked before this runs)."""
    form = await request.form()
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return form
    sessions = sessions_of(request.app)
    token = form.get("csrf")
    if not sessions.csrf_matches(sessions.decode(request.cookies.get(COOKIE)), token if isinstance(token, str) else None):
        raise PageError(400, "csrf", "the form's CSRF token is missing or does not match this session; reload the page")
    return form


Form = Annotated[FormData, Depends(checked_form)]


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@dataclass
class Page:
    """What every page needs: the reader's language, who they are, and the session that binds the forms' CSRF token."""

    request: Request
    actor: Actor | None
    session: Session
    new_session: bool

    @classmethod
    def of(cls, request: Request, actor: Actor | None, session: Session | None = None) -> Page:
        sessions = sessions_of(request.app)
        current = session or sessions.decode(request.cookies.get(COOKIE))
        return cls(request, actor, current or sessions.new(), session is not None or current is None)

    @property
    def language(self) -> str:
        return choose_language(self.request.headers.get("accept-language"))

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        t = translator(self.language)
        html = TEMPLATES.get_template(template).render(
            t=t, lang=self.language, actor=self.actor, csrf=sessions_of(self.request.app).csrf_token(self.session),
            local=self.actor is not None and self.actor.authenticated_by == "local_mode", when=when,
            age=lambda seconds: age_text(seconds, self.language), **values)
        return self.finish(HTMLResponse(html, status_code=status))

    def redirect(self, url: str) -> Response:
        return self.finish(RedirectResponse(url, status_code=303))

    def finish(self, response: Response) -> Response:
        response.headers.update(NO_STORE)
        if self.new_session:
            response.set_cookie(COOKIE, sessions_of(self.request.app).encode(self.session), httponly=True, samesite="strict",
                                secure=self.request.url.scheme == "https", path="/review")
        return response


def when(moment: Any) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):
        return moment.replace("T", " ")[:16] + " UTC"
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def reviews(request: Request) -> Reviews:
    return request.app.state.reviews


def marked(text: str) -> list[tuple[str, bool]]:
    """`[[word]]` marks (from gateway.review.mark) as (text, is_trigger) pieces; the template escapes each piece."""
    pieces = re.split(r"\[\[(.+?)\]\]", text)
    return [(piece, i % 2 == 1) for i, piece in enumerate(pieces) if piece]


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """(op, text) pieces, op in "same", "removed", "added": what an edit changes, word by word (a space between two changes
    belongs to the change, so "si nécessaire" → "sur avis médical" reads as one replacement)."""
    a, b = re.findall(r"\s+|\S+", before), re.findall(r"\s+|\S+", after)
    pieces: list[tuple[str, str]] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        pieces.extend((op, "".join(words)) for op, words in (("removed", removed), ("added", added)) if words)
        removed.clear()
        added.clear()

    codes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(codes):
        if op == "equal" and (n in (0, len(codes) - 1) or "".join(a[i1:i2]).strip()):
            flush()
            pieces.append(("same", "".join(a[i1:i2])))
        else:
            removed.extend(a[i1:i2])
            added.extend(b[j1:j2])
    flush()
    return pieces


def matches(case: ReviewCase, language: str | None, category: str | None, text: str | None) -> bool:
    return ((not language or case.question_language == language)
            and (not category or any(f.category.value == category for f in case.assessment.findings))
            and (not text or text.casefold() in case.question.casefold()))


def error_text(t: Any, code: str, case: ReviewCase | None, status: int = 0) -> str:
    now = utcnow()
    holder = case.holder_at(now) if case is not None else None
    if code in ("claimed", "not_the_holder") and holder is not None:
        return t(f"err_{code}", name=holder.name)
    if code == "already_decided" and case is not None and case.verdict is not None:
        return t("err_already_decided", decision=t(f"status.{case.verdict.decision.value}"), name=case.verdict.reviewer.name)
    if code in ("case_not_found", "review_unavailable", "reason_required", "answer_required", "csrf", "rate_limited"):
        return t(f"err_{code}")
    if code == "forbidden" or status == 403:
        return t("err_forbidden")
    return t("err_unknown", code=code)


async def case_page(page: Page, query_id: str, status: int = 200, **values: Any) -> Response:
    try:
        case = await reviews(page.request).get(query_id)
    except ApiError as exc:  # no such case, or the bucket did not answer; a refusal already explained (values["error"]) comes first
        t = translator(page.language)
        error = values.get("error") or error_text(t, exc.code, None, exc.status)
        return page.render("message.html", status=status if values.get("error") else exc.status, title=t("not_found_title"), error=error)
    now = utcnow()
    view = full_case(case, now)
    actor = page.actor
    holder = case.holder_at(now)
    return page.render(
        "case.html", status=status, case=view, title=translator(page.language)("case_title", id=query_id[:12]),
        open=case.status in OPEN_STATUSES, can_decide=actor is not None and actor.role in ("reviewer", "admin"),
        held_by_me=holder is not None and actor is not None and holder.name == actor.name,
        held_by_other=holder is not None and (actor is None or holder.name != actor.name),
        draft_pieces=marked(view["draft_marked"]), quotes=[marked(hit["quote_marked"]) for hit in view["evidence"]],
        answer=values.pop("answer", None) or case.draft.text, reason=values.pop("reason", ""), **values,
    )


@router.get("/review", response_class=HTMLResponse)
async def queue(request: Request, actor: Reader, language: str = "", category: str = "", q: str = "") -> Response:
    page = Page.of(request, actor)
    now = utcnow()
    language, category, q = language[:8], category[:64], q[:200]
    cases, total = await reviews(request).select(
        lambda c: c.status in OPEN_STATUSES and matches(c, language, category, q), queue_key, LIST_LIMIT)
    t = translator(page.language)
    return page.render("queue.html", title=t("queue_title"), rows=[summary(c, now) for c in cases], total=total,
                       counts=await reviews(request).status(), languages=LANGUAGES, categories=[c.value for c in RiskCategory],
                       language=language, category=category, q=q)


@router.get("/review/decided", response_class=HTMLResponse)
async def decided(request: Request, actor: Reader, decision: str = "", language: str = "", reviewer: str = "", q: str = "") -> Response:
    page = Page.of(request, actor)
    decision, language, reviewer, q = decision[:16], language[:8], reviewer[:64], q[:200]

    def keep(case: ReviewCase) -> bool:
        v = case.verdict
        return (v is not None and (not decision or v.decision.value == decision) and (not reviewer or v.reviewer.name == reviewer)
                and matches(case, language, None, q))

    cases, total = await reviews(request).select(keep, lambda c: c.verdict.decided_at, LIST_LIMIT, newest_first=True)
    t = translator(page.language)
    return page.render("decided.html", title=t("decided_title"), rows=[summary(c, utcnow()) for c in cases], total=total,
                       languages=LANGUAGES, decisions=[d.value for d in Decision if d is not Decision.escalated],
                       decision=decision, language=language, reviewer=reviewer, q=q)


@router.get("/review/case/{query_id}", response_class=HTMLResponse)
async def case_view(request: Request, query_id: str, actor: Reader, done: str = "") -> Response:
    page = Page.of(request, actor)
    return await case_page(page, query_id[:64], done=done if done in DONE else "")


async def act(page: Page, query_id: str, command: ReviewCommand, done: str, **values: Any) -> Response:
    """Send a command to the desk; on success back to the case (POST-redirect-GET), else the case with the reason."""
    try:
        await reviews(page.request).command(command)
    except ApiError as exc:
        return await refused(page, query_id, exc, **values)
    return page.redirect(f"/review/case/{quote(query_id)}?done={done}")


async def refused(page: Page, query_id: str, exc: ApiError, **values: Any) -> Response:
    try:
        case = await reviews(page.request).get(query_id)
    except ApiError:
        case = None
    error = error_text(translator(page.language), exc.code, case, exc.status)
    return await case_page(page, query_id, status=exc.status, error=error, **values)


@router.post("/review/case/{query_id}/claim", response_class=HTMLResponse)
async def claim(request: Request, query_id: str, actor: Decider, form: Form) -> Response:
    return await act(Page.of(request, actor), query_id[:64], ReviewCommand(action="claim", query_id=query_id[:64], actor=actor), "claimed")


@router.post("/review/case/{query_id}/release", response_class=HTMLResponse)
async def release(request: Request, query_id: str, actor: Decider, form: Form) -> Response:
    return await act(Page.of(request, actor), query_id[:64], ReviewCommand(action="release", query_id=query_id[:64], actor=actor), "released")


@router.post("/review/case/{query_id}/decide", response_class=HTMLResponse)
async def decide(request: Request, query_id: str, actor: Decider, form: Form) -> Response:
    """approved, rejected, escalated; edited goes through a confirm step that shows the word diff first."""
    page, query_id = Page.of(request, actor), query_id[:64]
    decision, reason, answer = (field(form, name).replace("\r\n", "\n") for name in ("decision", "reason", "answer"))
    values = {"answer": answer, "reason": reason} if decision == "edited" else {"reason": reason}
    t = translator(page.language)
    if field(form, "back") == "1":
        return await case_page(page, query_id, **values)
    if len(reason) > MAX_REASON_CHARS or len(answer) > MAX_ANSWER_CHARS:
        limit = MAX_REASON_CHARS if len(reason) > MAX_REASON_CHARS else MAX_ANSWER_CHARS
        return await case_page(page, query_id, status=422, error=t("err_too_long", max=limit), **values)
    try:
        verdict = Decision(decision)
        command = command_for_verdict(query_id, actor, verdict, reason, answer)
    except (ValueError, ApiError) as exc:
        code = exc.code if isinstance(exc, ApiError) else "unknown_decision"
        return await case_page(page, query_id, status=422, error=error_text(t, code, None, 422), **values)
    if verdict is Decision.edited and field(form, "confirmed") != "1":
        case = await reviews(request).get(query_id)
        return await case_page(page, query_id, confirm=word_diff(case.draft.text, command.answer or ""), **values)
    return await act(page, query_id, command, "decided", **values)


@router.get("/review/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/review") -> Response:
    page = Page.of(request, None)
    local = not await (await access_of(request.app)).refresh()
    return page.render("login.html", title=translator(page.language)("login_title"), next=safe_next(next), local_mode=local)


@router.post("/review/login", response_class=HTMLResponse, dependencies=[Depends(rate_limited("logins", page=True))])
async def login(request: Request) -> Response:
    """A key, or a name and password: a new session (a new id, so nothing planted before login survives it)."""
    page = Page.of(request, None)
    t = translator(page.language)
    form = await request.form()
    target = safe_next(field(form, "next"))
    sessions = sessions_of(request.app)

    def again(error: str, status: int) -> Response:
        return page.render("login.html", status=status, title=t("login_title"), next=target, error=error, name=field(form, "name")[:64])

    if not sessions.csrf_matches(sessions.decode(request.cookies.get(COOKIE)), field(form, "csrf")):
        return again(t("err_csrf"), 400)  # the form again, with the token of this browser's session (new if it had none)
    accounts = (await access_of(request.app)).accounts
    key, name, password = field(form, "key").strip(), field(form, "name").strip().lower(), field(form, "password")
    if key:
        account = await accounts.authenticate(key)
        if account is None:
            return again(t("bad_key"), 401)
        via = f"api_key:{split_key(key)[0]}"  # type: ignore[index]
    elif name and password:
        account = await accounts.get(name[:64])
        if not password_matches(account.password_hash if account else unknown_password_hash(), password) or account is None:
            return again(t("bad_password"), 401)
        via = f"password:{password_fingerprint(account.password_hash or '')}"
    else:
        return again(t("login_missing"), 400)
    if account.role not in PAGE_ROLES:
        return again(t("wrong_role", name=account.name, role=account.role), 403)
    page.session, page.new_session = sessions.new(account.name, via), True
    return page.redirect(target)


@router.post("/review/logout", response_class=HTMLResponse)
async def logout(request: Request, form: Form) -> Response:
    page = Page.of(request, None, sessions_of(request.app).new())
    return page.redirect("/review/login")


@functools.cache
def unknown_password_hash() -> str:
    """Checked against for an unknown name, so that it takes as long as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))


def safe_next(target: str) -> str:
    """Only a path of this page after login: never another site."""
    return target if re.fullmatch(r"/review(/[A-Za-z0-9/_?=&.%-]*)?", target or "") else "/review"


def install(app: FastAPI) -> None:
    """The page's routes, its static files, and its errors: a browser is sent to log in (401) or told why (403, 400)."""
    app.include_router(router)
    app.mount("/review/static", StaticFiles(directory=PAGES / "static"), name="review-static")

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> Response:
        if "text/html" not in request.headers.get("accept", ""):
            return JSONResponse(error_body(exc.code, exc.detail, **exc.extra), status_code=exc.status, headers=exc.headers)
        page = Page.of(request, None)
        if exc.status == 401:
            return page.redirect(f"/review/login?next={quote(request.url.path if request.method == 'GET' else '/review')}")
        t = translator(page.language)
        response = page.render("message.html", status=exc.status, title=t("app"), error=error_text(t, exc.code, None, exc.status))
        response.headers.update(exc.headers or {})  # a 429's Retry-After
        return response
