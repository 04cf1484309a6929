"""Administration of data: imports by file upload, and scorecard versions. Administrators only.

| route | what |
|---|---|
| ``GET /admin/imports`` | the upload form (the choices of ``steerco import``) and the recent imports |
| ``POST /admin/imports`` | validate only (dry run) or import an uploaded file; the report ``steerco import`` prints |
| ``POST /admin/imports/compute`` | recompute a provider's months (``pipelines.run.compute_provider``) |
| ``GET /admin/scorecards`` | per provider, its versions and the month each takes effect; the upload form |
| ``POST /admin/scorecards`` | check or load a version (a TOML file or pasted text), the rules of ``steerco scorecard load`` |
| ``GET /admin/scorecards/<id>`` | one version: its tree and its TOML |
| ``GET /admin/scorecards/compare?a=<id>&b=<id>`` | what changed between two versions of a provider |

Uploads are read, checked and stored by the command line's own code (``dashboard.cli.imports``,
``dashboard.cli.scorecards``), so a file gets the same problems, summary and rules in both.
An upload is saved to a temporary file and imported from its path. Bad input re-renders the
page with its report next to the form (200, nothing stored); other roles get the error page
(403); a body over the application's limit gets a page saying so (413).
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import tempfile
import zoneinfo
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from dashboard import access, views
from dashboard.views import when
from dashboard.auth import csrf
from dashboard.cli.imports import import_report, run_import
from dashboard.cli.measures import check_month
from dashboard.cli.scorecards import store_version
from pipelines.sources import FORMATS, KINDS, parse_mapping
from scorecard.compare import ADDED, CHANGED, REMOVED, SECTIONS, compare_scorecards
from scorecard.definition import load_scorecard
from scorecard.display import plain, threshold_text
from scorecard.errors import BadInput, InvalidInput, NotFound, SteercoError
from scorecard.months import shift_month
from scorecard.versions import ScorecardVersions
from sql import admin as admin_store
from sql.engine import session_scope
from sql.models import Provider, ScorecardVersion

log = logging.getLogger(__name__)
bp = Blueprint("admin_data", __name__)
ADMIN = frozenset({"admin"})
RECENT_IMPORTS = 20
MAX_MAPPING_BYTES = 1024 * 1024
MAX_SCORECARD_BYTES = 2 * 1024 * 1024
PASTED = "pasted text"
BACK = {"imports": "/admin/imports", "scorecards": "/admin/scorecards"}
KIND_WORDS = {ADDED: ("+", "added"), REMOVED: ("−", "removed"), CHANGED: ("~", "changed")}
IMPORT_FIELDS = ("provider", "kind", "format", "date_format", "timezone", "resource", "capacity", "unit")


def _admin(doing: str = "manage imports and scorecards"):
    return views.require(ADMIN, doing)


def _engine():
    return access.engine()


def _limit_text() -> str:
    """The application's upload limit (MAX_CONTENT_LENGTH) as people write it: "200 MB"."""
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    return f"{limit // 1024 // 1024} MB" if limit >= 1024 * 1024 else f"{max(1, limit // 1024)} KB"


def _filename(name: str | None, default: str) -> str:
    """The name an uploaded file is called by in messages: its base name, printable, bounded."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:200] or default


def _blank(name: str) -> str | None:
    value = (request.form.get(name) or "").strip()
    return value or None


# ---------------------------------------------------------------------- imports

def _recent_imports() -> list[dict]:
    """The latest imports from the audit log, newest first, whoever made them (pages or CLI)."""
    with session_scope(_engine()) as session:
        entries = admin_store.recent_imports(session, RECENT_IMPORTS)
    out = []
    for e in entries:
        d = e["details"]
        skipped = d.get("skipped") or {}
        out.append({"at": when(e["at"]), "actor": e["actor"], "target": e["target"], "source": d.get("source", ""),
                    "rows": d.get("rows"), "new": d.get("new"), "updated": d.get("updated"),
                    "unchanged": d.get("unchanged"),
                    "skipped": ", ".join(f"{n:,} {reason}" for reason, n in sorted(skipped.items()))})
    return out


def _imports_page(*, report=None, values: dict | None = None, dry_run: bool = True):
    return views.render_page("admin_data/imports.html", providers=access.visible_providers(), kinds=KINDS,
                             formats=FORMATS, report=report, dry_run=dry_run, values=values or {"kind": "tickets"},
                             recent=_recent_imports(), limit=_limit_text())


def _capacity(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise BadInput(f"--capacity: not a number: {text[:40]!r}") from None


def _mapping():
    upload = request.files.get("mapping")
    if upload is None or not upload.filename:
        return None
    name = _filename(upload.filename, "mapping.toml")
    raw = upload.stream.read(MAX_MAPPING_BYTES + 1)
    if len(raw) > MAX_MAPPING_BYTES:
        raise BadInput(f"{name}: a mapping file is at most {MAX_MAPPING_BYTES // 1024} KB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{name}: cannot read the mapping file (not UTF-8 text)") from None
    return parse_mapping(text, source=name)


def _import_upload(who, dry_run: bool):
    """Run the uploaded file through ``steerco import``'s code; the accepted result or the error."""
    provider = _blank("provider")
    if provider is None:
        raise BadInput("choose the provider the data is about")
    provider = access.resolve_provider(provider).name
    kind = _blank("kind") or ""
    if kind not in KINDS:
        raise BadInput(f"unknown kind {kind[:40]!r}: use one of {', '.join(KINDS)}")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadInput("choose the file to import (CSV, XLSX or Parquet)")
    source = _filename(upload.filename, "upload")
    options = {"fmt": _blank("format"), "mapping": _mapping(), "date_format": _blank("date_format"),
               "timezone": _blank("timezone"), "resource": _blank("resource"),
               "capacity": _capacity(_blank("capacity")), "unit": _blank("unit")}
    with tempfile.TemporaryDirectory(prefix="steerco-upload-") as folder:
        path = Path(folder) / "upload"
        upload.save(path)  # streamed to disk in chunks: the file is never held in memory whole
        upload.close()
        log.info("import of %s (%s, %s bytes) by %s%s", source, kind, path.stat().st_size, who.email,
                 " (dry run)" if dry_run else "")
        return run_import(_engine(), kind, path, source=source, provider_name=provider, actor=who.email,
                          dry_run=dry_run, size=path.stat().st_size, **options)


@bp.route("/admin/imports", methods=["GET", "POST"])
def imports():
    try:
        who = _admin()
        if request.method == "GET":
            return _imports_page()
        csrf.protect()
        dry_run = request.form.get("action") != "import"
        values = {k: request.form.get(k, "") for k in IMPORT_FIELDS}
        try:
            result = _import_upload(who, dry_run)
        except (BadInput, NotFound) as exc:  # bad input, an unknown provider: the report, nothing stored
            log.info("import refused: %s", (str(exc).splitlines() or [""])[0])
            return _imports_page(report=import_report(exc), values=values, dry_run=dry_run)
        except HTTPException:
            raise
        except Exception as exc:  # ours, not the file's: logged; the transaction was rolled back
            log.exception("import failed unexpectedly")
            return _imports_page(report=import_report(SteercoError(
                f"unexpected error: {type(exc).__name__}; nothing was imported and the error has been logged")),
                values=values, dry_run=dry_run)
        return _imports_page(report=import_report(result, dry_run=dry_run), values=values, dry_run=dry_run)
    except SteercoError as exc:
        return views.refuse(exc)


@bp.route("/admin/imports/compute", methods=["POST"])
def compute():
    from pipelines.run import compute_provider

    try:
        _admin("recompute results")
        csrf.protect()
        back = BACK.get(request.form.get("back", ""), BACK["imports"])
        if _blank("provider") is None:
            raise BadInput("choose the provider to recompute")
        provider = access.resolve_provider(_blank("provider")).name
        try:
            report = compute_provider(_engine(), provider)
        except BadInput as exc:
            flash(f"Could not recompute {provider}: {exc}")
            return redirect(back, code=303)
        if not report.computed and not report.unchanged:
            flash(f"{provider}: no facts imported yet, nothing to compute.")
        else:
            flash(f"Recomputed — {report.summary()}.")
        return redirect(back, code=303)
    except SteercoError as exc:
        return views.refuse(exc)


# ---------------------------------------------------------------------- scorecard versions

def _this_month(timezone: str) -> str:
    return dt.datetime.now(zoneinfo.ZoneInfo(timezone)).strftime("%Y-%m")


def _versions_by_provider() -> list[dict]:
    """Per provider: its versions oldest first, each with the months it is in force."""
    out = []
    with session_scope(_engine()) as session:
        providers = session.execute(select(Provider.id, Provider.name, Provider.timezone).order_by(Provider.name))
        for pid, name, timezone in providers.all():
            rows = session.execute(select(ScorecardVersion.id, ScorecardVersion.effective_month,
                                          ScorecardVersion.sha256, ScorecardVersion.loaded_at,
                                          ScorecardVersion.loaded_by)
                                   .where(ScorecardVersion.provider_id == pid)
                                   .order_by(ScorecardVersion.effective_month)).all()
            now = _this_month(timezone)
            current = ScorecardVersions([(r.effective_month, r.id) for r in rows]).in_force(now) if rows else None
            versions = []
            for i, r in enumerate(rows):
                until = shift_month(rows[i + 1].effective_month, -1) if i + 1 < len(rows) else None
                versions.append({"id": r.id, "effective": r.effective_month, "until": until,
                                 "sha": r.sha256[:12], "loaded_at": when(r.loaded_at), "loaded_by": r.loaded_by,
                                 "current": r.id == current, "future": r.effective_month > now})
            out.append({"id": pid, "name": name, "timezone": timezone, "this_month": now, "versions": versions})
    return out


def _siblings(provider: str) -> list[dict]:
    """The versions of ``provider``, as listed on the versions page."""
    return next(p for p in _versions_by_provider() if p["name"] == provider)["versions"]


def _scorecards_page(*, values: dict | None = None, error: dict | None = None, checked: str | None = None):
    return views.render_page("admin_data/scorecards.html", providers=_versions_by_provider(),
                             values=values or {}, error=error, checked=checked,
                             max_size=f"{MAX_SCORECARD_BYTES // 1024 // 1024} MB")


def _scorecard_text() -> tuple[str, str]:
    """The submitted scorecard: (text, name used in messages); a file or pasted text, not both."""
    upload = request.files.get("file")
    pasted = request.form.get("text") or ""
    has_file = upload is not None and bool(upload.filename)
    if has_file and pasted.strip():
        raise BadInput("give the scorecard either as a file or as pasted text, not both")
    if not has_file:
        if not pasted.strip():
            raise BadInput("choose a scorecard file (TOML) or paste its text")
        return pasted.replace("\r\n", "\n"), PASTED
    name = _filename(upload.filename, "scorecard.toml")
    raw = upload.stream.read(MAX_SCORECARD_BYTES + 1)
    if len(raw) > MAX_SCORECARD_BYTES:
        raise BadInput(f"{name}: a scorecard file is at most {MAX_SCORECARD_BYTES // 1024 // 1024} MB")
    try:
        return raw.decode("utf-8-sig"), name
    except UnicodeDecodeError:
        raise BadInput(f"{name}: not a UTF-8 text file") from None


def _check_or_load(who, action: str) -> tuple[str, int]:
    """Check (nothing stored) or load the submitted version: the sentence saying what happened,
    and the provider's id."""
    if _blank("provider") is None:
        raise BadInput("choose the provider whose scorecard this is")
    ref = access.resolve_provider(_blank("provider"))
    provider = ref.name
    effective = _blank("effective")
    if effective is None and action == "load":
        raise BadInput("effective month: give the first month this version applies to (YYYY-MM)")
    check_month(effective, "effective month")
    text, source = _scorecard_text()
    card = load_scorecard(text, source=source)
    valid = f"{source}: a valid scorecard for {card.provider.name} with {len(card.measures())} measures"
    if action != "load":
        if effective is None:
            return valid + ".", ref.id
        with Session(_engine()) as session:  # the load's own rules, then everything rolled back
            try:
                _version, created = store_version(session, card, provider, effective, actor=who.email)
            finally:
                session.rollback()
        return valid + (f"; it can be loaded for {provider} effective {effective}." if created else
                        f"; this same text is already loaded for {provider} effective {effective}."), ref.id
    with session_scope(_engine()) as session:
        _version, created = store_version(session, card, provider, effective, actor=who.email)
    if not created:
        return f"This scorecard is already loaded for {provider} effective {effective}: nothing changed.", ref.id
    return (f"Loaded the scorecard for {provider} effective {effective} ({len(card.measures())} measures). "
            "Recompute the provider to score its months with it."), ref.id


def _error_field(message: str) -> str:
    if message.startswith("effective month") or "already has a scorecard version effective" in message:
        return "effective"
    if message.startswith("choose the provider") or " is the scorecard of " in message or " runs in " in message:
        return "provider"
    return "source"


@bp.route("/admin/scorecards", methods=["GET", "POST"])
def scorecards():
    try:
        who = _admin()
        if request.method == "GET":
            return _scorecards_page()
        csrf.protect()
        action = "load" if request.form.get("action") == "load" else "check"
        values = {k: request.form.get(k, "") for k in ("provider", "effective", "text")}
        try:
            message, provider_id = _check_or_load(who, action)
        except (BadInput, NotFound) as exc:
            error = {"message": exc.summary if isinstance(exc, InvalidInput) else str(exc),
                     "problems": exc.problems if isinstance(exc, InvalidInput) else [],
                     "field": "source" if isinstance(exc, InvalidInput) else _error_field(str(exc)),
                     "action": action}
            return _scorecards_page(values=values, error=error)
        if action == "check":
            return _scorecards_page(values=values, checked=message)
        flash(message)
        return redirect(f"/admin/scorecards#provider-{provider_id}", code=303)
    except SteercoError as exc:
        return views.refuse(exc)


def _version(version_id: int) -> dict:
    with session_scope(_engine()) as session:
        row = session.execute(select(ScorecardVersion, Provider.name).join(Provider)
                              .where(ScorecardVersion.id == version_id)).first()
        if row is None:
            raise NotFound(f"there is no scorecard version {version_id}")
        v, provider = row
        return {"id": v.id, "provider": provider, "provider_id": v.provider_id, "effective": v.effective_month,
                "source": v.source, "sha256": v.sha256, "loaded_at": when(v.loaded_at), "loaded_by": v.loaded_by}


def _parsed(version: dict):
    return load_scorecard(version["source"], source=f"{version['provider']} scorecard effective {version['effective']}")


def _tree_rows(card) -> list[dict]:
    """The tree as rows: a perspective, its objectives, their measures with targets in their units."""
    rows = []
    currency = card.provider.currency
    for p in card.perspectives:
        rows.append({"level": "perspective", "name": p.name, "weight": plain(p.weight)})
        for o in p.objectives:
            rows.append({"level": "objective", "name": o.name, "weight": plain(o.weight)})
            for m in o.measures:
                unit = m.info.unit

                def shown(value, unit=unit):
                    return threshold_text(value, unit, currency=currency) or "—"

                rows.append({"level": "measure", "name": m.label, "measure": m.measure,
                             "params": ", ".join(f"{k} = {v}" for k, v in m.params.items()),
                             "goal": shown(m.goal), "red_flag": shown(m.red_flag), "stretch": shown(m.stretch),
                             "weight": plain(m.weight), "direction": m.direction})
    return rows


@bp.route("/admin/scorecards/<int:version_id>")
def version(version_id: int):
    try:
        _admin()
        v = _version(version_id)
        try:
            card, problem = _parsed(v), None
        except BadInput as exc:  # stored under an older steerco whose rules have since changed
            card, problem = None, str(exc)
        siblings = _siblings(v["provider"])
        this = next(s for s in siblings if s["id"] == v["id"])
        return views.render_page("admin_data/version.html", v=v, this=this, card=card, problem=problem,
                                 rows=_tree_rows(card) if card else [], siblings=siblings,
                                 calendars=[(n, c.describe()) for n, c in card.calendars.items()] if card else [])
    except SteercoError as exc:
        return views.refuse(exc)


def _version_id(name: str) -> int:
    raw = request.args.get(name, "")
    if not raw.isdigit():
        raise BadInput("choose two versions to compare")
    return int(raw)


def _unified(a: dict, b: dict) -> list[tuple[str, str]]:
    """The unified diff of two TOML texts as (css class, line)."""
    lines = difflib.unified_diff(a["source"].splitlines(), b["source"].splitlines(),
                                 fromfile=f"effective {a['effective']}", tofile=f"effective {b['effective']}",
                                 lineterm="", n=2)
    out = []
    for line in lines:
        kind = ("file" if line.startswith(("---", "+++")) else "hunk" if line.startswith("@@")
                else "add" if line.startswith("+") else "del" if line.startswith("-") else "same")
        out.append((kind, line))
    return out


@bp.route("/admin/scorecards/compare")
def compare():
    try:
        _admin()
        a, b = _version(_version_id("a")), _version(_version_id("b"))
        if a["provider_id"] != b["provider_id"]:
            raise BadInput(f"compare two versions of the same provider (these are of {a['provider']} "
                           f"and of {b['provider']})")
        if a["effective"] > b["effective"]:
            a, b = b, a
        try:
            comparison, problem = compare_scorecards(_parsed(a), _parsed(b)), None
        except BadInput as exc:  # a version stored under older rules: the text diff still says what changed
            comparison, problem = None, str(exc)
        sections = [(what, comparison.of(what)) for what in SECTIONS if comparison.of(what)] if comparison else []
        return views.render_page("admin_data/compare.html", a=a, b=b, comparison=comparison, problem=problem,
                                 sections=sections, words=KIND_WORDS, diff=_unified(a, b),
                                 siblings=_siblings(a["provider"]))
    except SteercoError as exc:
        return views.refuse(exc)


# ---------------------------------------------------------------------- too large

def _too_large(_exc: RequestEntityTooLarge):
    """A request over the application's limits: a page that says which, never a bare error."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        title = "The file is too large"
        message = (f"The file is larger than {_limit_text()}, the most steerco accepts in one upload. "
                   "Split the export (for example by year) and import each part, or import it with "
                   "`steerco import` on the server.")
    else:  # a text field over MAX_FORM_MEMORY_SIZE, or too many parts
        field_kb = int(current_app.config.get("MAX_FORM_MEMORY_SIZE") or 0) // 1000
        title = "The text is too long"
        message = (f"Text typed or pasted into a form may be at most {field_kb} KB. "
                   "Upload it as a file instead.")
    try:
        if current_user.is_authenticated and current_user.role in ADMIN and request.path.startswith("/admin/"):
            back = "/admin/scorecards" if request.path.startswith("/admin/scorecards") else "/admin/imports"
            return views.render_page("admin_data/too_large.html", 413, title=title, message=message, back=back)
    except Exception:  # the page frame itself failed: the plain error page below still answers
        log.exception("the too-large page could not be drawn")
    return render_template("error.html", title=title, message=message), 413


def init(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
