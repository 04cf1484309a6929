"""steerco review …: the annual competence review from the command line (docs/review.md).

A review is named by ``--provider NAME --year YYYY`` (its newest version, or ``--version N``).
Every change is audited, with the CLI user as the actor; signing names the reviewer who
signs (``--reviewer EMAIL``, a user with the reviewer role) and needs the declaration.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from dashboard.cli.common import actor, db_option, echo_json, echo_table, load_settings, open_engine
from scorecard.errors import BadInput


def _review_options(fn):
    fn = click.option("--version", type=int, default=None, metavar="N",
                      help="A version of the review (default: the newest).")(fn)
    fn = click.option("--year", type=int, required=True, metavar="YYYY", help="The year the review covers.")(fn)
    fn = click.option("--provider", "provider_name", required=True, metavar="NAME", help="The provider reviewed.")(fn)
    return db_option(fn)


def _find(session, provider_name: str, year: int, version: int | None):
    from sql.repo import get_provider
    from sql.reviews import find_review

    return find_review(session, get_provider(session, provider_name), year, version)


def _read_rubric(path: str | None, kind: str):
    from scorecard.review import load_rubric
    from scorecard.rubrics import SHIPPED, shipped_text

    if path in SHIPPED or path is None:
        name, text = shipped_text(path or kind)
        return load_rubric(text, source=name)
    p = Path(path)
    if not p.is_file():
        raise BadInput(f"{path}: no such file (or give a shipped rubric: {', '.join(SHIPPED)})")
    try:
        return load_rubric(p.read_text(encoding="utf-8-sig"), source=path)
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not a UTF-8 text file") from None


@click.group()
def review() -> None:
    """Annual competence reviews: open, rate, attach, recommend, submit, sign, amend, export."""


@review.command("rubric")
@click.argument("rubric", default="it", metavar="it|legal|FILE")
def review_rubric(rubric: str) -> None:
    """Check a rubric (a shipped one or a TOML FILE) and list its areas and linked measures."""
    r = _read_rubric(rubric, "it")
    click.echo(f"{r.source}: {r.label}, for {r.kind} providers, {len(r.areas)} areas")
    for a in r.areas:
        linked = ", ".join(m.measure + ("" if m.params_key == "{}" else " " + m.params_key) for m in a.measures)
        click.echo(f"  {a.key:<22} {a.name}" + (f"\n  {'':<22} evidence: {linked}" if linked else ""))


@review.command("list")
@click.option("--provider", "provider_name", metavar="NAME", default=None, help="Only this provider's reviews.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def review_list(provider_name: str | None, fmt: str, db_url: str | None) -> None:
    """List reviews, newest year first."""
    from sql.engine import session_scope
    from sql.repo import get_provider
    from sql.reviews import list_reviews

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        ids = [get_provider(session, provider_name).id] if provider_name else None
        rows = list_reviews(session, ids)
    if fmt == "json":
        echo_json(rows)
    elif rows:
        echo_table(["id", "provider", "year", "version", "status", "rated", "signed by"],
                   [[r["id"], r["provider"], r["year"], r["version"], r["status"], f"{r['rated']}/{r['areas']}",
                     r["signed_by"] or ""] for r in rows])
    else:
        click.echo("no reviews yet: open one with `steerco review open --provider NAME --year YYYY`")


@review.command("open")
@click.option("--provider", "provider_name", required=True, metavar="NAME")
@click.option("--year", required=True, metavar="YYYY", help="The year to review (not after this year).")
@click.option("--rubric", "rubric_path", default=None, metavar="it|legal|FILE",
              help="The rubric (default: the shipped one for the provider's kind).")
@db_option
def review_open(provider_name: str, year: str, rubric_path: str | None, db_url: str | None) -> None:
    """Open a draft review of a provider's year."""
    from scorecard.review import check_year
    from sql.engine import session_scope
    from sql.repo import get_provider
    from sql.reviews import open_review

    engine = open_engine(db_url)
    y = check_year(year, this_year=dt.date.today().year)
    with session_scope(engine) as session:
        provider = get_provider(session, provider_name)
        rubric = _read_rubric(rubric_path, provider.kind)
        r = open_review(session, provider, y, rubric, actor=actor())
        click.echo(f"opened review {r.id}: {provider.name} {y}, draft, rubric {rubric.key} v{rubric.version} "
                   f"({len(rubric.areas)} areas)")


@review.command("show")
@_review_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def review_show(provider_name: str, year: int, version: int | None, fmt: str, db_url: str | None) -> None:
    """Show a review: status, ratings, evidence per area, recommendations, sign-off."""
    from dashboard.review_report import area_headline
    from pipelines.review_evidence import review_view
    from sql.engine import session_scope

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        rid = _find(session, provider_name, year, version).id
    view = review_view(engine, rid)
    if fmt == "json":
        click.echo(json.dumps(view.to_dict(), indent=2, ensure_ascii=False, default=str))
        return
    click.echo(f"{view.title}, version {view.version} — {view.status} (review {view.id})")
    if view.signed_at:
        click.echo(f"signed by {view.signed_by} on {view.signed_at:%Y-%m-%d %H:%M} UTC")
    if view.newer:
        what = "superseded by" if view.newer["status"] == "signed" else "being amended in"
        click.echo(f"{what} version {view.newer['version']} ({view.newer['status']})")
    for a in view.areas:
        click.echo(f"\n  {a['name']} [{a['key']}]: {a['rating'].shown}")
        click.echo(f"    evidence: {area_headline(a['evidence'])}")
        if a["rating"].rationale:
            click.echo(f"    rationale: {a['rating'].rationale}")
    for r in view.recommendations:
        state = r["action"]["ref"] + " " + r["action"]["state"] if r["action"] else "not yet an action"
        click.echo(f"\n  recommendation ({r['area_key']}): {r['text']} — {r['owner']}, due {r['due_on']} [{state}]")
    if view.missing:
        click.echo("\nbefore it can be submitted it needs: " + "; ".join(view.missing))


@review.command("rate")
@_review_options
@click.option("--area", required=True, metavar="KEY", help="The area's key (see `steerco review rubric`).")
@click.option("--rating", required=True, metavar="0-5|na", help="Capability level 0–5, or na for not assessed.")
@click.option("--rationale", default="", help="Why (required for 0, 1, 5 and na).")
@click.option("--findings", default="", help="What the reviewer found.")
@click.option("--notes", default="", help="Working notes.")
def review_rate(provider_name, year, version, area, rating, rationale, findings, notes, db_url) -> None:
    """Rate one area of a draft review."""
    from sql.engine import session_scope
    from sql.reviews import rate_area

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        r = _find(session, provider_name, year, version)
        checked = rate_area(session, r, area, rating=rating, rationale=rationale, findings=findings, notes=notes,
                            actor=actor())
    click.echo(f"{area}: {checked.shown}")


@review.command("summary")
@_review_options
@click.argument("text")
def review_summary(provider_name, year, version, text, db_url) -> None:
    """Set the summary for the board of a draft review."""
    from sql.engine import session_scope
    from sql.reviews import set_summary

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        set_summary(session, _find(session, provider_name, year, version), text, actor=actor())
    click.echo("summary saved")


@review.command("attach")
@_review_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--area", default=None, metavar="KEY", help="The area the document is evidence for.")
@click.option("--description", default="", help="What the document is.")
@click.option("--expires", default=None, metavar="YYYY-MM-DD", help="When a certificate or report expires.")
def review_attach(provider_name, year, version, file: Path, area, description, expires, db_url) -> None:
    """Attach a document (PDF, PNG, JPEG, DOCX, XLSX or text; at most 10 MB) to a draft review."""
    from scorecard.review import MAX_BYTES
    from sql.engine import session_scope
    from sql.reviews import add_document

    if not file.is_file():
        raise BadInput(f"{file}: no such file")
    if file.stat().st_size > MAX_BYTES:
        raise BadInput(f"{file}: {file.stat().st_size / 1024 / 1024:.1f} MB; documents are at most "
                       f"{MAX_BYTES // 1024 // 1024} MB")
    content = file.read_bytes()
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        doc = add_document(session, _find(session, provider_name, year, version), filename=file.name,
                           content=content, area_key=area, description=description, expires_on=expires,
                           actor=actor())
        click.echo(f"attached {doc.filename} ({doc.media_type}, {doc.size:,} bytes) as document {doc.id}")


@review.command("recommend")
@_review_options
@click.option("--area", required=True, metavar="KEY")
@click.option("--text", required=True, help="What should be done.")
@click.option("--owner", required=True, help="Who will do it (a person or role).")
@click.option("--due", required=True, metavar="YYYY-MM-DD", help="The date it is due (a date, not 'best effort').")
def review_recommend(provider_name, year, version, area, text, owner, due, db_url) -> None:
    """Add a recommendation with an owner and a due date to a draft review."""
    from sql.engine import session_scope
    from sql.reviews import add_recommendation

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        rec = add_recommendation(session, _find(session, provider_name, year, version), area_key=area, text=text,
                                 owner=owner, due=due, actor=actor())
        click.echo(f"recommendation {rec.id} added, due {rec.due_on.isoformat()}")


@review.command("submit")
@_review_options
def review_submit(provider_name, year, version, db_url) -> None:
    """Submit a complete draft for sign-off (its evidence is frozen as it stands now)."""
    from pipelines.review_evidence import submit_with_evidence
    from sql.engine import session_scope

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        rid = _find(session, provider_name, year, version).id
    evidence = submit_with_evidence(engine, rid, actor=actor())
    click.echo(f"submitted review {rid} for sign-off; evidence {evidence['sha256'][:16]}… frozen")


@review.command("return")
@_review_options
def review_return(provider_name, year, version, db_url) -> None:
    """Return a submitted review to draft (its frozen evidence is released)."""
    from sql.engine import session_scope
    from sql.reviews import return_to_draft

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        return_to_draft(session, _find(session, provider_name, year, version), actor=actor())
    click.echo("returned to draft")


@review.command("sign")
@_review_options
@click.option("--reviewer", required=True, metavar="EMAIL", help="The reviewer who signs (a user with that role).")
@click.option("--no-financial-interest", "no_interest", is_flag=True,
              help="Declare: no financial interest in the provider.")
@click.option("--no-referral-fees", "no_fees", is_flag=True,
              help="Declare: no referral fees, commissions or benefits from the provider or its vendors.")
@click.option("--no-other-relationship", "no_other", is_flag=True,
              help="Declare: no other relationship that could impair independence.")
@click.option("--disclosures", default="", help="Anything to disclose with the declaration.")
def review_sign(provider_name, year, version, reviewer, no_interest, no_fees, no_other, disclosures, db_url) -> None:
    """Sign a submitted review, with the independence declaration. Afterwards it cannot change."""
    from scorecard.errors import Forbidden, NotFound
    from sql.engine import session_scope
    from sql.repo import find_user
    from sql.reviews import sign_review

    accepted = [k for k, given in (("no_financial_interest", no_interest), ("no_referral_fees", no_fees),
                                   ("no_other_relationship", no_other)) if given]
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        user = find_user(session, reviewer)
        if user is None or not user.active:
            raise NotFound(f"there is no active user {reviewer!r}")
        if user.role != "reviewer":
            raise Forbidden(f"only a reviewer may sign a review; {user.email} is a {user.role}")
        r = _find(session, provider_name, year, version)
        sign_review(session, r, signer=user.email, signer_role=user.role, accepted=accepted, disclosures=disclosures)
        click.echo(f"signed review {r.id} ({provider_name} {year}, version {r.version}) as {user.email}")


@review.command("amend")
@_review_options
@click.option("--reason", required=True, help="Why the signed review is amended.")
def review_amend(provider_name, year, version, reason, db_url) -> None:
    """Amend a signed review: a new draft version that refers to it."""
    from sql.engine import session_scope
    from sql.reviews import amend_review

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        new = amend_review(session, _find(session, provider_name, year, version), reason=reason, actor=actor())
        click.echo(f"opened version {new.version} (review {new.id}) as a draft amending version {new.version - 1}")


@review.command("export")
@_review_options
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write: .pdf or .html.")
def review_export(provider_name, year, version, out: Path, db_url) -> None:
    """Write the review report (summary, ratings chart, areas with evidence, recommendations,
    declaration, sign-off) as PDF or HTML. An HTML report links each measure to its page at
    $STEERCO_PUBLIC_URL when that is set."""
    from dashboard.review_report import review_report
    from sql.engine import session_scope

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "html"):
        raise BadInput(f"--out must end in .pdf or .html, got {out.name!r}")
    engine = open_engine(db_url)
    with session_scope(engine) as session:
        rid = _find(session, provider_name, year, version).id
    report = review_report(engine, rid, fmt, base_url=load_settings(db_url).public_url)
    try:
        out.write_bytes(report.content)
    except OSError as exc:
        raise BadInput(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"wrote {out} ({len(report.content):,} bytes)")


@review.command("access")
@click.option("--provider", "provider_name", required=True, metavar="NAME")
@click.option("--allow/--deny", required=True, help="Whether the provider's users may read its signed reviews.")
@db_option
def review_access(provider_name: str, allow: bool, db_url: str | None) -> None:
    """Let a provider's users read the signed reviews of it (--allow), or stop them (--deny)."""
    from sql.engine import session_scope
    from sql.repo import get_provider
    from sql.reviews import set_provider_access

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        p = get_provider(session, provider_name)
        changed = set_provider_access(session, p, allow, actor=actor())
    state = "may now read" if allow else "may no longer read"
    click.echo(f"{provider_name}'s users {state} its signed reviews" + ("" if changed else " (unchanged)"))


@review.group("action")
def action() -> None:
    """Improvement actions agreed in signed reviews."""


@action.command("list")
@click.option("--provider", "provider_name", metavar="NAME", default=None)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def action_list(provider_name: str | None, fmt: str, db_url: str | None) -> None:
    """List improvement actions by due date, with their state."""
    from sql.engine import session_scope
    from sql.repo import get_provider
    from sql.reviews import action_rows

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        ids = [get_provider(session, provider_name).id] if provider_name else None
        rows = action_rows(session, ids)
    if fmt == "json":
        echo_json(rows)
    elif rows:
        echo_table(["action", "provider", "due", "state", "owner", "text"],
                   [[r["ref"], r["provider"], r["due_on"], r["state"], r["owner"], r["text"][:60]] for r in rows])
    else:
        click.echo("no improvement actions: they are made when a review with recommendations is signed")


@action.command("close")
@click.argument("action_id", metavar="ID")
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", help="The date the action was done.")
@db_option
def action_close(action_id: str, on: str, db_url: str | None) -> None:
    """Close improvement action ID (RA-12 or 12), done on the date --on."""
    from sql.engine import session_scope
    from sql.reviews import close_action, parse_action_id

    engine = open_engine(db_url)
    with session_scope(engine) as session:
        row = close_action(session, parse_action_id(action_id), on=on, actor=actor())
    click.echo(f"closed {row['ref']} on {row['closed_on']} (due {row['due_on']}): {row['state']}")
