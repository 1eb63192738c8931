"""The `mirage` command."""

from __future__ import annotations

import asyncio
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import httpx
import typer
from rich.console import Console
from rich.table import Table

from contracts.chain import WORKERS
from mirage.users import client_headers
from runtime.settings import Settings

app = typer.Typer(help="MIRAGE: questions answered from your own medical documents.", no_args_is_help=True,
                  context_settings={"help_option_names": ["-h", "--help"]})
console = Console()
DEFAULT_URL = "http://127.0.0.1:8006"
UrlOption = Annotated[str, typer.Option("--url", envvar="MIRAGE_URL", help="Gateway URL (and MIRAGE_API_KEY: your API key, if it needs one).")]


def configure_logging(verbose: bool, log_format: str = "text", log_file: Path | None = None) -> None:
    from runtime.logs import configure

    configure(verbose=verbose, json_lines=log_format == "json", log_file=log_file)


class LogFormat(StrEnum):
    json = "json"
    text = "text"


LogFormatOption = Annotated[LogFormat, typer.Option(envvar="MIRAGE_LOG_FORMAT",
                                                    help="json: one JSON object a line, with query_id, document_id and trace_id.")]
LogFileOption = Annotated[Optional[Path], typer.Option(envvar="MIRAGE_LOG_FILE", dir_okay=False,
                                                       help="Also write the log here, rotated at 10 MB, 5 kept (e.g. logs/mirage.log).")]


def settings_from(**overrides: object) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@app.command()
def up(
    port: Annotated[Optional[int], typer.Option(help="Gateway port [env MIRAGE_PORT, default 8006].")] = None,
    data_dir: Annotated[Optional[Path], typer.Option(help="Data directory [env MIRAGE_DATA_DIR, default .mirage].")] = None,
    host: Annotated[Optional[str], typer.Option(help="Bind address [env MIRAGE_HOST, default 127.0.0.1].")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    log_format: LogFormatOption = LogFormat.json,
    log_file: LogFileOption = None,
) -> None:
    """Start everything in one process: private NATS (unless NATS_URL), every worker, the gateway."""
    from mirage.embedded import serve

    configure_logging(verbose, log_format, log_file)
    settings = settings_from(port=port, data_dir=data_dir, host=host)
    console.print(f"[bold]MIRAGE[/] on http://{settings.host}:{settings.port} (docs at /docs), data in {settings.data_dir}")
    serve(settings, WORKERS)


@app.command()
def gateway(
    port: Annotated[Optional[int], typer.Option(help="Gateway port [env MIRAGE_PORT].")] = None,
    host: Annotated[Optional[str], typer.Option(help="Bind address [env MIRAGE_HOST].")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    log_format: LogFormatOption = LogFormat.json,
    log_file: LogFileOption = None,
) -> None:
    """Run the HTTP gateway alone against NATS_URL (workers run elsewhere)."""
    from mirage.embedded import serve

    configure_logging(verbose, log_format, log_file)
    settings = settings_from(port=port, host=host)
    if settings.nats_url is None:
        raise typer.BadParameter("set NATS_URL: the lone gateway joins an existing NATS (or use `mirage up`)")
    serve(settings, [])


@app.command()
def worker(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(WORKERS)}.")],
    metrics_port: Annotated[Optional[int], typer.Option(help="Serve /metrics on this port [env MIRAGE_METRICS_PORT].")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    log_format: LogFormatOption = LogFormat.json,
    log_file: LogFileOption = None,
) -> None:
    """Run one worker against NATS_URL; start several to share the work."""
    from mirage.worker_process import run_workers

    if name not in WORKERS:
        raise typer.BadParameter(f"unknown worker {name!r}; choose one of {', '.join(WORKERS)}")
    configure_logging(verbose, log_format, log_file)
    asyncio.run(run_workers(settings_from(metrics_port=metrics_port), [name]))


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (folders are walked recursively).", exists=True)],
    metadata: Annotated[Optional[str], typer.Option(help='JSON metadata for every file, e.g. \'{"type":"medical"}\'.')] = None,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Upload files or whole folders, with a progress bar and a summary."""
    from mirage.uploader import upload_all

    failed = upload_all(url, paths, metadata, console)
    raise typer.Exit(1 if failed else 0)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in any of the four languages.")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=100)] = 5,
    language: Annotated[Optional[str], typer.Option(help="Only chunks in this language (en, fr, es, de).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw JSON answer.")] = False,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Search the indexed documents and print the best passages."""
    params = {"query": query, "top_k": top_k, **({"language": language} if language else {})}
    response = httpx.get(f"{url}/documents/search", params=params, timeout=30, headers=client_headers())
    if response.status_code != 200:
        console.print(f"[red]{response.status_code}[/] {response.json().get('detail', response.text)}")
        raise typer.Exit(1)
    body = response.json()
    if as_json:
        console.print_json(json.dumps(body))
        return
    table = Table(title=f"{len(body['results'])} results for {query!r} ({body['took_ms']:.1f} ms)", show_lines=True)
    for column in ("#", "score", "document", "page", "lang", "passage"):
        table.add_column(column)
    for i, hit in enumerate(body["results"], 1):
        where = hit.get("title") or hit.get("filename") or hit["document_id"][:12]
        table.add_row(str(i), f"{hit['score']:.3f}", where, str(hit.get("page") or ""), hit.get("language") or "",
                      hit["text"][:300])
    console.print(table)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question, in English, French, Spanish or German.")],
    lang: Annotated[Optional[str], typer.Option("--lang", help="Answer language (en, fr, es, de); default: the question's.")] = None,
    human_loop: Annotated[bool, typer.Option("--human-loop", help="Hold any answer with some risk for a human expert.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw JSON answer.")] = False,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Ask a question: prints the answer with its citations, or that it waits for review."""
    payload = {"query": question, "enable_human_loop": human_loop, **({"target_language": lang} if lang else {})}
    response = httpx.post(f"{url}/query", json=payload, timeout=60, headers=client_headers())
    body = response.json()
    if as_json:
        print(json.dumps(body, ensure_ascii=False))
    elif response.status_code >= 400:
        console.print(f"[red]{response.status_code}[/] {body.get('detail', response.text)}")
    elif body["status"] == "answered":
        console.print(body["answer"], markup=False)
        for i, citation in enumerate(body["citations"], 1):
            where = ", ".join(x for x in (citation.get("title"), f"p. {citation['page']}" if citation.get("page") else None) if x)
            console.print(f"[dim][{i}] {where} ({citation.get('language') or '?'})[/]")
        if body.get("notice"):
            console.print(f"[yellow]{body['notice']}[/]")
    else:
        console.print(f"[yellow]{body['status']}[/]: {body.get('notice') or body.get('detail') or ''}", markup=True)
        console.print(f"query id {body['query_id']}: {url}{body['status_url']}")
    raise typer.Exit(0 if response.status_code < 400 else 1)


def operator_nats_url(nats_url: str | None, data_dir: Path | None) -> str:
    """NATS_URL, else the private server of the `mirage up` running on this data directory."""
    if nats_url:
        return nats_url
    settings = settings_from(data_dir=data_dir)
    url_file = settings.nats_dir / "url"
    if settings.nats_url:
        return settings.nats_url
    if not url_file.exists():
        raise typer.BadParameter(f"no running `mirage up` found in {settings.data_dir} (and NATS_URL is not set)")
    return url_file.read_text().strip()


@app.command("dead-letters")
def dead_letters(
    replay: Annotated[Optional[list[int]], typer.Option("--replay", help="Replay the dead letter with this sequence number (repeatable).")] = None,
    replay_all: Annotated[bool, typer.Option("--replay-all", help="Replay every dead letter.")] = False,
    nats_url: Annotated[Optional[str], typer.Option(envvar="NATS_URL", help="NATS server.")] = None,
    data_dir: Annotated[Optional[Path], typer.Option(help="Data directory of a running `mirage up` [env MIRAGE_DATA_DIR].")] = None,
) -> None:
    """List the messages workers gave up on (with the error), or replay them once the cause is fixed."""
    import nats

    from mirage.deadletters import list_dead_letters
    from mirage.deadletters import replay as replay_letter

    async def run() -> None:
        nc = await nats.connect(operator_nats_url(nats_url, data_dir))
        try:
            js = nc.jetstream()
            letters = await list_dead_letters(js)
            chosen = [d.sequence for d in letters] if replay_all else list(replay or [])
            for sequence in chosen:
                console.print(f"replayed #{sequence} to {await replay_letter(js, sequence)}")
            if chosen:
                return
            table = Table(title=f"{len(letters)} dead letters")
            for column in ("#", "subject", "about", "deliveries", "error"):
                table.add_column(column)
            for d in letters:
                table.add_row(str(d.sequence), d.original_subject, (d.correlation_id or "")[:16], d.deliveries, d.error[:120])
            console.print(table)
        finally:
            await nc.close()

    asyncio.run(run())


audit_app = typer.Typer(help="The tamper-evident audit trail: every review action and every answer released or withheld.",
                        no_args_is_help=True)
app.add_typer(audit_app, name="audit")
NatsUrlOption = Annotated[Optional[str], typer.Option("--nats-url", envvar="NATS_URL", help="NATS server.")]
DataDirOption = Annotated[Optional[Path], typer.Option(help="Data directory of a running `mirage up` (env MIRAGE_DATA_DIR).")]


@audit_app.command("verify")
def audit_verify(
    file: Annotated[Optional[Path], typer.Option("--file", exists=True, dir_okay=False,
                                                 help="An export to check instead of the live trail. An export that starts mid-chain "
                                                      "(--since) is checked from its first entry's previous hash.")] = None,
    head: Annotated[Optional[str], typer.Option("--head", help="A head hash kept off the machine: it must still be in the chain.")] = None,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Recompute the hash chain; name the first broken entry (exit 1)."""
    from mirage.audit import verify_export, verify_live

    if file is not None:
        result = verify_export(file, head)
    else:
        async def run():  # noqa: ANN202
            import nats

            nc = await nats.connect(operator_nats_url(nats_url, data_dir))
            try:
                with progress_bars(quiet=False) as bars:
                    task = bars.add_task("verifying", total=None)
                    return await verify_live(nc.jetstream(), head, on_total=lambda n: bars.update(task, total=n),
                                             progress=lambda n: bars.advance(task, n))
            finally:
                await nc.close()

        result = asyncio.run(run())
    if result.broken is not None:
        console.print(f"[red]broken[/] at {result.broken}; {result.count} entries before it verify", markup=True, soft_wrap=True)
    for problem in result.problems:
        console.print(f"[red]{problem}[/]", markup=True, soft_wrap=True)
    if result.intact:
        kept = f"; the kept head is entry #{result.kept_head_at}" if result.kept_head_at else ""
        console.print(f"[green]intact[/]: {result.count} entries, head {result.head}{kept}", markup=True, soft_wrap=True)
    raise typer.Exit(0 if result.intact else 1)


@audit_app.command("export")
def audit_export(
    since: Annotated[Optional[str], typer.Option(help="Only entries stored since this ISO date or time (UTC unless it says). "
                                                      "Such an export starts mid-chain: `verify --file` checks it from its first "
                                                      "entry's previous hash.")] = None,
    to: Annotated[Optional[Path], typer.Option("--to", dir_okay=False, help="File to write (default: standard output).")] = None,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Write the entries as JSON lines (each with its stream sequence), then a line with the chain head. Keep the head
    (or the whole file) off this machine: a chain kept only on the server proves little."""
    import contextlib
    import sys

    from mirage.audit import export, parse_since

    try:
        moment = parse_since(since) if since else None
    except ValueError as exc:
        raise typer.BadParameter(f"--since {since!r} is not an ISO date or time") from exc

    async def run():  # noqa: ANN202
        import nats

        nc = await nats.connect(operator_nats_url(nats_url, data_dir))
        try:
            with progress_bars(quiet=False) as bars, (to.open("w", encoding="utf-8") if to else contextlib.nullcontext(sys.stdout)) as out:
                task = bars.add_task("exporting", total=None)
                return await export(nc.jetstream(), out, moment, on_total=lambda n: bars.update(task, total=n),
                                    progress=lambda n: bars.advance(task, n))
        finally:
            await nc.close()

    head = asyncio.run(run())
    Console(stderr=True).print(f"{head.count} entries (#{head.first_sequence}-#{head.last_sequence}), head {head.hash}", soft_wrap=True)


replay_app = typer.Typer(help="Run history again through today's code, without touching production consumers.", no_args_is_help=True)
app.add_typer(replay_app, name="replay")
review_app = typer.Typer(help="The review queue's decided cases.", no_args_is_help=True)
app.add_typer(review_app, name="review")


async def reviewed(nats_url: str | None, data_dir: Path | None) -> list:  # noqa: ANN001
    import nats

    from mirage.verdicts import decided_cases

    nc = await nats.connect(operator_nats_url(nats_url, data_dir))
    try:
        return [case async for case in decided_cases(nc.jetstream())]
    finally:
        await nc.close()


@replay_app.command("verdicts")
def replay_verdicts(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Re-run the current risk policy over every reviewed question; print it against the reviewers' decisions.
    Withheld by a reviewer but released by the policy now: the dangerous cell (listed)."""
    from adapters.embedders import build_embedder
    from mirage.verdicts import replay_table
    from workers.classify_risk.handlers import assessment_of
    from workers.classify_risk.semantic import NearestExamples, read_examples

    cases = asyncio.run(reviewed(nats_url, data_dir))
    settings = settings_from(data_dir=data_dir)
    nearest = NearestExamples(build_embedder(settings.embedder, threads=settings.embedder_threads), read_examples(), settings.model_cache)
    table, dangerous = replay_table(cases, lambda event: assessment_of(event, nearest))
    if json_output:
        print(json.dumps({"cases": len(cases), "table": {f"{d}->{r}": n for (d, r), n in sorted(table.items())}, "dangerous": dangerous}))
        return
    grid = Table(title=f"{len(cases)} reviewed questions: reviewers' decisions (rows) against today's policy (columns)")
    for column in ("decision", "held for review", "released"):
        grid.add_column(column)
    for decision in sorted({d for d, _ in table}):
        grid.add_row(decision, str(table[(decision, "review")]), str(table[(decision, "release")]))
    console.print(grid)
    if dangerous:
        console.print(f"[red]{len(dangerous)} withheld by a reviewer would now be released:[/] {', '.join(dangerous)}")


@review_app.command("export")
def review_export(
    to: Annotated[Optional[Path], typer.Option("--to", dir_okay=False, help="File to write (default: standard output).")] = None,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Question, draft, final answer and verdict of every decided case, as JSON lines: a gold set for evaluation."""
    import sys

    from mirage.verdicts import write_gold

    cases = asyncio.run(reviewed(nats_url, data_dir))
    if to is None:
        write_gold(cases, sys.stdout)
    else:
        with to.open("w", encoding="utf-8") as out:
            write_gold(cases, out)
        console.print(f"{len(cases)} decided cases written to {to}")


users_app = typer.Typer(help="People who may use MIRAGE: roles (asker, reviewer, auditor, admin) and API keys.", no_args_is_help=True)
app.add_typer(users_app, name="users")
ExpiresOption = Annotated[int, typer.Option(min=0, help="Days until the key expires (0: never).")]


def on_accounts(nats_url: str | None, data_dir: Path | None, action):  # noqa: ANN001, ANN201
    from mirage.users import with_accounts
    from runtime.accounts import AccountError

    try:
        return with_accounts(operator_nats_url(nats_url, data_dir), settings_from(data_dir=data_dir).jetstream_replicas, action)
    except AccountError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The person's account name (lower-case letters, digits, - and _).")],
    role: Annotated[str, typer.Option(help="asker, reviewer, auditor or admin.")],
    expires_days: ExpiresOption = 365, nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Create an account and print its API key, this once (sent as `Authorization: Bearer <key>`)."""
    from mirage.users import issued_text

    print(issued_text(on_accounts(nats_url, data_dir, lambda accounts: accounts.add(name, role, expires_days or None)), created=True))


@users_app.command("key")
def users_key(
    name: Annotated[str, typer.Argument(help="An existing account.")],
    expires_days: ExpiresOption = 365, nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Give an account another API key (for a lost or revoked one) and print it, this once."""
    from mirage.users import issued_text

    print(issued_text(on_accounts(nats_url, data_dir, lambda accounts: accounts.issue_key(name, expires_days or None)), created=False))


@users_app.command("list")
def users_list(nats_url: NatsUrlOption = None, data_dir: DataDirOption = None) -> None:
    """Every account with its role and keys: created, expires, last used, active, expired or revoked."""
    from mirage.users import accounts_text

    print(accounts_text(on_accounts(nats_url, data_dir, lambda accounts: accounts.list_all())))


@users_app.command("revoke")
def users_revoke(
    name: Annotated[str, typer.Argument(help="The account whose keys to revoke.")],
    key: Annotated[Optional[str], typer.Option("--key", help="Only this key id (`mirage users list` shows them); default: every key.")] = None,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Revoke an account's keys (all, or one): requests carrying them get 401 from then on."""
    from mirage.users import revoked_text

    print(revoked_text(name, on_accounts(nats_url, data_dir, lambda accounts: accounts.revoke(name, key)), key))


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="An existing account.")], nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Set an account's password for the reviewer page's login form (/review/login), asked twice; stored as an scrypt hash."""
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        console.print("[red]use at least 10 characters[/]")
        raise typer.Exit(1)
    on_accounts(nats_url, data_dir, lambda accounts: accounts.set_password(name, password))
    print(f"{name}: password set; sessions opened with the previous password are closed")


eval_app = typer.Typer(help="Measure quality on your own data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@eval_app.command("retrieval")
def eval_retrieval(
    data: Annotated[Path, typer.Option(help="A BEIR-layout folder: corpus.jsonl, queries.jsonl, qrels/test.tsv.", exists=True, file_okay=False)],
    limit: Annotated[Optional[int], typer.Option(help="Evaluate only the first N judged queries (the whole corpus is indexed).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Index DATA's corpus through the real ingest path (fresh temporary store), run every query, print the metrics."""
    from mirage.evaluation.beir import load_beir
    from mirage.evaluation.retrieval import run_retrieval_eval

    dataset = load_beir(data).limited(limit)
    with progress_bars(as_json) as bars:
        indexing = bars.add_task("indexing", total=len(dataset.corpus))
        searching = bars.add_task("searching", total=len(dataset.queries))
        report = asyncio.run(run_retrieval_eval(
            dataset, on_indexed=lambda n: bars.advance(indexing, n), on_searched=lambda n: bars.advance(searching, n),
        ))
    if as_json:
        print(json.dumps(report.as_dict()))
        return
    table = Table(title=f"{report.dataset}: {report.queries} queries, {report.documents} documents, {report.chunks} chunks")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in report.metrics.items():
        table.add_row(name, f"{value:.4f}")
    table.add_row("indexing", f"{report.index_seconds:.1f} s ({report.documents_per_second:.0f} documents/s)")
    table.add_row("search p50 / p95", f"{report.search_p50_ms:.1f} / {report.search_p95_ms:.1f} ms")
    table.add_row("embedder", report.embedder)
    console.print(table)


@eval_app.command("risk")
def eval_risk(
    data: Annotated[Path, typer.Option(help="Risky prompts: XSafety-style JSONL with one field per language (en, fr, es, de).", exists=True)],
    half: Annotated[Optional[str], typer.Option(help="Only the 'tuning' (even) or 'holdout' (odd) prompts, and the same split of the "
                                                     "bundled harmless questions.")] = None,
    harmless: Annotated[Optional[Path], typer.Option(help="Harmless questions JSONL (language, text) [default: the bundled set].")] = None,
    lexicon_only: Annotated[bool, typer.Option("--lexicon-only", help="Without the semantic stage (nearest labelled examples).")] = False,
) -> None:
    """Share of risky questions held for review (recall) and of harmless ones held (false positives), per language."""
    from workers.classify_risk.evaluation import HARMLESS_QUESTIONS, evaluate_risk, read_harmless, read_xsafety
    from workers.classify_risk.semantic import NearestExamples, read_examples

    nearest = None
    if not lexicon_only:
        from adapters.embedders import build_embedder

        s = Settings()
        embedder = build_embedder(s.embedder, threads=s.embedder_threads, cache_dir=s.fastembed_cache, model_path=s.fastembed_model_path)
        nearest = NearestExamples(embedder, read_examples(), s.model_cache)
    ordinary = read_harmless(harmless, None) if harmless else read_harmless(HARMLESS_QUESTIONS, half)
    report = evaluate_risk(read_xsafety(data, half), ordinary, nearest)
    print(json.dumps(report, ensure_ascii=False, indent=2))


@eval_app.command("answers")
def eval_answers(
    data: Annotated[Path, typer.Option(help="Questions JSONL (id, lang, question, doc, also, facts, risky), as ../shared/eval/answers/dev.jsonl.",
                                       exists=True, dir_okay=False)],
    docs: Annotated[Optional[list[Path]], typer.Option(help="Folder of documents to upload (repeatable) "
                                                       "(default: fixtures/ema_leaflets and fixtures/generated beside DATA's folder).")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Ask only the first N questions of each language (every document is uploaded).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every question that missed, and how.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, with every question's details.")] = False,
) -> None:
    """Upload DOCS through the real upload path (fresh temporary store), ask every question through POST /query in its
    language (then the harmless ones again with the human loop), print per language: right document cited, fact recall,
    unanswerable declined, harmless and risky held, answered in the asked language, latency. A held answer is not
    shown to the asker: its quality is scored on the draft the reviewer sees."""
    from mirage.evaluation.answers import read_questions
    from mirage.evaluation.answers_run import default_document_folders, document_files, limited, run_answers_eval
    from mirage.evaluation.answers_view import print_report

    try:
        folders = docs or default_document_folders(data)
        files = document_files(folders)
    except (FileNotFoundError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    questions = limited(read_questions(data), limit)
    with progress_bars(as_json) as bars:
        uploading = bars.add_task("uploading", total=len(files))
        asking = bars.add_task("asking", total=len(questions) + sum(not q.risky for q in questions))
        report = asyncio.run(run_answers_eval(questions, folders, data=str(data), on_uploaded=lambda n: bars.advance(uploading, n),
                                              on_asked=lambda n: bars.advance(asking, n))).as_dict()
    print(json.dumps(report, ensure_ascii=False)) if as_json else print_report(report, console, verbose)


def progress_bars(quiet: bool):  # noqa: ANN201
    """Progress bars on stderr (so --json output stays clean), hidden when quiet."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), disable=quiet)


bench_app = typer.Typer(help="Throughput and latency of the real pipeline on this machine.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
CorpusOption = Annotated[Optional[Path], typer.Option(help="BEIR folder whose text seeds the synthetic corpus [default: bundled TICO-19 EN].")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def run_bench(which: str, docs: int, pdfs: int, sizes: str, queries: int, chroma: bool, corpus: Optional[Path],
              as_json: bool, plot: Optional[Path], query_chunks: int = 100_000) -> None:
    from mirage.evaluation.bench import bench_ingest, bench_query, bench_question_embedding, bench_search_at
    from mirage.evaluation.corpus import TextFactory, seed_sentences

    factory = TextFactory(seed_sentences(corpus))
    report: dict = {}
    sizes_list = [int(s) for s in sizes.split(",") if s.strip()]
    with progress_bars(as_json) as bars:
        if which in ("ingest", "all"):
            task = bars.add_task("ingest", total=docs + pdfs)
            report["ingest"] = asyncio.run(bench_ingest(factory, docs, pdfs, lambda n: bars.advance(task, n)))
        if which in ("query", "all"):
            task = bars.add_task(f"index {query_chunks}", total=query_chunks)
            report["query"] = asyncio.run(bench_query(factory, query_chunks, queries, 8, lambda n: bars.advance(task, n)))
        if which in ("questions", "all"):
            task = bars.add_task("questions", total=queries)
            report["questions"] = bench_question_embedding(factory, queries, lambda n: bars.advance(task, n))
        if which in ("search", "all"):
            report["search"] = []
            for size in sizes_list:
                task = bars.add_task(f"index {size}", total=size)
                report["search"].append(asyncio.run(bench_search_at(factory, size, queries, chroma, lambda n, t=task: bars.advance(t, n))))
    if plot and report.get("search"):
        from mirage.evaluation.plots import plot_search_latency

        plot_search_latency(report["search"], plot)
    console.print_json(json.dumps(report)) if not as_json else print(json.dumps(report))


@bench_app.command("ingest")
def bench_ingest_command(
    docs: Annotated[int, typer.Option(help="Documents (4 sections, ~12 chunks each) uploaded concurrently.")] = 200,
    pdfs: Annotated[int, typer.Option(help="10-page PDFs uploaded one by one for upload-to-searchable latency.")] = 20,
    corpus: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bulk ingest throughput against the embedder's raw throughput; upload-to-searchable latency of a 10-page PDF."""
    run_bench("ingest", docs, pdfs, "", 0, False, corpus, as_json, None)


@bench_app.command("search")
def bench_search_command(
    sizes: Annotated[str, typer.Option(help="Index sizes in chunks, comma-separated.")] = "10000,100000",
    queries: Annotated[int, typer.Option(help="Queries per size.")] = 200,
    chroma: Annotated[bool, typer.Option("--chroma/--no-chroma", help="Compare with ChromaDB on the same chunks and embeddings.")] = True,
    plot: Annotated[Optional[Path], typer.Option(help="Write a PNG of latency against index size.")] = None,
    corpus: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search latency (in-process and through NATS) at each index size, optionally against ChromaDB."""
    run_bench("search", 0, 0, sizes, queries, chroma, corpus, as_json, plot)


@bench_app.command("questions")
def bench_questions_command(
    queries: Annotated[int, typer.Option(help="Sentence-long questions, each embedded every way.")] = 600,
    corpus: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """A question's embeddings: each model alone (English int8 as served, fp32 as its passages), both one after the other, both side by side."""
    run_bench("questions", 0, 0, "", queries, False, corpus, as_json, None)


@bench_app.command("query")
def bench_query_command(
    chunks: Annotated[int, typer.Option(help="Chunks indexed before asking.")] = 100_000,
    queries: Annotated[int, typer.Option(help="Questions asked (cold, then again warm).")] = 200,
    corpus: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """POST /query over HTTP, cache cold and warm, against the same steps called in-process; throughput with 8 clients."""
    run_bench("query", 0, 0, "", queries, False, corpus, as_json, None, query_chunks=chunks)


@bench_app.command("all")
def bench_all_command(
    docs: Annotated[int, typer.Option(help="Documents for the bulk ingest run.")] = 200,
    pdfs: Annotated[int, typer.Option(help="10-page PDFs for upload-to-searchable latency.")] = 20,
    sizes: Annotated[str, typer.Option(help="Index sizes in chunks, comma-separated.")] = "10000,100000",
    queries: Annotated[int, typer.Option(help="Queries per size.")] = 200,
    chroma: Annotated[bool, typer.Option("--chroma/--no-chroma")] = True,
    plot: Annotated[Optional[Path], typer.Option(help="Write a PNG of latency against index size.")] = None,
    corpus: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every benchmark in one run (the query benchmark on the largest size)."""
    largest = max(int(s) for s in sizes.split(",") if s.strip())
    run_bench("all", docs, pdfs, sizes, queries, chroma, corpus, as_json, plot, query_chunks=largest)


@app.command()
def backup(
    to: Annotated[Optional[Path], typer.Option("--to", file_okay=False, help="Where backups go (env MIRAGE_BACKUP_DIR; default backups/).")] = None,
    verify: Annotated[Optional[str], typer.Option("--verify", metavar="NAME", help="Check a backup instead: the checksums, then every "
                                                  "snapshot restored into a throwaway nats-server and counted, the audit chain.")] = None,
    keep: Annotated[Optional[int], typer.Option(min=1, help="Then delete the oldest backups beyond the newest N (default: keep all).")] = None,
    nats_url: NatsUrlOption = None,
    data_dir: Annotated[Optional[Path], typer.Option(help="Data directory of a running or stopped `mirage up` (env MIRAGE_DATA_DIR; "
                                                          "default .mirage).")] = None,
) -> None:
    """Back up MIRAGE while it runs: every stream, bucket and uploaded file (JetStream snapshots, consumers included), the
    audit trail as JSON lines, a manifest with a SHA-256 per file, into backups/mirage-<UTC time>/. The vector index is not
    copied: `mirage restore` rebuilds it from the uploaded bytes."""
    from mirage.backup import BackupError, BarSteps, backup_root, backup_table, find_backup, prune, run_backup, verify_backup

    root = backup_root(to)
    try:
        with progress_bars(quiet=False) as bars:
            if verify is None:
                folder = run_backup(settings_from(data_dir=data_dir), nats_url, root, BarSteps(bars))
            else:
                check = verify_backup(find_backup(verify, root), BarSteps(bars))
    except BackupError as exc:
        console.print(f"[red]{exc}[/]", soft_wrap=True)
        raise typer.Exit(1) from exc
    if verify is None:
        console.print(backup_table(folder))
        for gone in prune(root, keep) if keep else []:
            console.print(f"deleted the older backup {gone.name} (--keep {keep})")
        return
    for problem in check.problems:
        console.print(f"[red]{problem}[/]", soft_wrap=True)
    if check.ok:
        console.print(f"[green]{check.folder.name} is sound[/]: every checksum matches, {len(check.restored)} snapshots restore with the "
                      "recorded messages, the audit chain verifies", soft_wrap=True)
    raise typer.Exit(0 if check.ok else 1)


@app.command()
def restore(
    name: Annotated[str, typer.Argument(help="A backup: its folder under the backup directory (`ls -la backups/`), or a path.")],
    from_dir: Annotated[Optional[Path], typer.Option("--from", file_okay=False,
                                                     help="Where the backups are (env MIRAGE_BACKUP_DIR; default backups/).")] = None,
    data_dir: Annotated[Optional[Path], typer.Option(help="Data directory to restore into (env MIRAGE_DATA_DIR; default .mirage); "
                                                          "with NATS_URL (compose), that NATS and QDRANT_URL.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Replace what is there already (streams, vector index).")] = False,
) -> None:
    """Restore a backup into a stopped MIRAGE: check it, restore every stream, re-index every document; then `mirage up`."""
    from mirage.backup import BackupError, BarSteps, backup_root, find_backup, restore_table, run_restore

    try:
        folder = find_backup(name, backup_root(from_dir))
        with progress_bars(quiet=False) as bars:
            report = run_restore(folder, settings_from(data_dir=data_dir), yes, steps=BarSteps(bars))
    except BackupError as exc:
        console.print(f"[red]{exc}[/]", soft_wrap=True)
        raise typer.Exit(1) from exc
    console.print(restore_table(report))
    for document, why in report.failed.items():
        console.print(f"[yellow]not searchable[/]: {document[:16]}: {why}", soft_wrap=True)
    raise typer.Exit(1 if report.failed else 0)


@app.command()
def asyncapi(
    output: Annotated[Path, typer.Option(help="Where to write the AsyncAPI document.")] = Path("docs/asyncapi.json"),
) -> None:
    """Write the AsyncAPI document of the event pipeline, generated from the code."""
    from mirage.asyncapi import asyncapi_document

    output.write_text(json.dumps(asyncapi_document(), indent=2, sort_keys=True) + "\n")
    console.print(f"wrote {output}")


if __name__ == "__main__":
    app()
