"""The demo's competence reviews: for every provider, a signed review of the previous year and
a draft of the current one, written from the stored evidence (docs/review.md, "Demo").

Ratings follow the evidence by a fixed rule, so they stay consistent with whatever the demo
data holds (the backup bad spell, the reopen rise, the project slip, the P2 slowdown of
docs/demo.md when they fall in the year): an area's share of measured months on target
(green of green, amber and red) gives 4 from 97 %, 3 from 85 %, 2 from 65 %, else 1; three or
more red months cap it at 2, and one red month or a drift towards worse flagged for six months
or more caps it at 3. Areas without measures get the reviewer's judgement
written below. Areas rated 2 or lower get a recommendation, due in the current year; signing
makes them improvement actions, of which the first is closed on time and the second late
(when the data reaches that far), so ``governance.actions_on_time`` has something to show.
"""

from __future__ import annotations

import calendar
import datetime as dt

from sqlalchemy import Engine, select

from pipelines.review_evidence import year_evidence
from scorecard.months import parse_month
from scorecard.review import SIGNED, Rubric, load_rubric
from scorecard.rubrics import shipped_text
from sql.engine import session_scope
from sql.models import Provider
from sql.reviews import (
    add_document,
    add_recommendation,
    close_action,
    document_rows,
    get_action,
    get_review,
    open_review,
    rate_area,
    recommendation_rows,
    set_provider_access,
    set_summary,
    sign_review,
    submit_review,
)

REVIEWER = "cio@demo.steerco"
SHARED_WITH = "Northwind IT Services"  # its users may read its signed reviews in the demo
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
JUDGEMENT = {  # areas without measured evidence: (rating, rationale)
    "vendors": (2, "The provider keeps a vendor list, but disclosed its reseller margins and referral fees only "
                   "when asked; the statement for the year is attached."),
    "strategic_advice": (3, "A technology roadmap was agreed and advice came with options and costs; it did not "
                            "yet say which recommendations earn the provider a commission."),
    "confidentiality": (3, "A SOC 2 Type II report covering the year is attached; conflict checks and privilege "
                           "handling are documented and were followed in the sampled matters."),
    "reporting": (3, "Monthly reports arrived on time and agreed with the measured results; misses were explained "
                     "in the steering committee."),
    "supervision": (3, "Named supervising attorneys review a sample of every kind of matter; escalations are "
                       "logged."),
}
ADVICE = {
    "service_desk": "Restore urgent-ticket resolution within the agreed time: staff the desk to the P2 volume and "
                    "report P2 resolution weekly until it is back on target.",
    "problem_management": "Run a root-cause review of reopened tickets, fix the top causes and report the effect "
                          "on the reopen rate every month.",
    "availability": "Alert on failed backup jobs the same morning, escalate repeated failures, and run a restore "
                    "test every quarter.",
    "capacity": "Agree a capacity plan for the storage nearest exhaustion, with the order date that keeps six "
                "months of runway.",
    "licences_purchasing": "Explain the months over budget and agree a forecast that shows overspend before it "
                           "happens.",
    "projects": "Re-baseline the slipping project with a recovery plan and a monthly forecast the steering "
                "committee can check.",
    "turnaround": "Add reviewers for the busy season and report turnaround weekly during it.",
    "accuracy": "Find the cause of the rise in QC errors and retrain where it is found; report the error rate "
                "monthly.",
    "responsiveness": "Acknowledge every enquiry within the agreed time, including at peaks.",
    "cost": "Agree a forecast of spend against budget that shows overruns before the invoice does.",
}


def _month_name(month: str) -> str:
    y, m = parse_month(month)
    return f"{MONTHS[m - 1]} {y}"


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small valid one-page PDF with a title and lines of text (demo certificates)."""
    def esc(t: str) -> str:
        return t.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    text = "BT /F1 16 Tf 72 760 Td (" + esc(title) + ") Tj /F1 11 Tf"
    for line in lines:
        text += " 0 -22 Td (" + esc(line) + ") Tj"
    stream = (text + " ET").encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def demo_rating(area_evidence: dict) -> tuple[int, str, str] | None:
    """(rating, rationale, findings) from an area's evidence; None without measured months."""
    series = [s for s in area_evidence["measures"] if s["on_scorecard"]]
    judged = sum(s["on_target"] + s["amber"] + s["red"] for s in series)
    if not judged:
        return None
    on, red = sum(s["on_target"] for s in series), sum(s["red"] for s in series)
    share = on / judged
    rating = 4 if share >= 0.97 else 3 if share >= 0.85 else 2 if share >= 0.65 else 1
    sustained = any(e["direction"] == "worse" and e["months"] >= 6 for s in series for e in s["signals"]["episodes"])
    if red >= 3:
        rating = min(rating, 2)
    elif red or sustained:
        rating = min(rating, 3)
    worst = max(series, key=lambda s: (s["red"], s["amber"], -s["on_target"]))
    parts = [f"{on} of {judged} measured months on target ({share * 100:.0f} %), {red} red."]
    if worst["worst"] and (worst["red"] or worst["amber"]):
        parts.append(f"{worst['label']} was weakest in {_month_name(worst['worst']['month'])} "
                     f"({worst['worst']['text']}).")
    episodes = [e | {"label": s["label"]} for s in series for e in s["signals"]["episodes"] if e["direction"] == "worse"]
    if episodes:
        longest = max(episodes, key=lambda e: (e["months"], e["first"]))
        parts.append(f"Drift: {longest['label']} worse since {longest['since']} "
                     f"({longest['months']} month{'s' if longest['months'] != 1 else ''} flagged).")
    findings = "\n".join(f"{s['label']}: red in " + ", ".join(_month_name(m["month"]) for m in s["months"]
                                                             if m["status"] == "red")
                         for s in series if s["red"])
    return rating, " ".join(parts), findings


def _rate_all(session, review, rubric: Rubric, evidence: dict, *, skip: int = 0) -> list[tuple[str, int]]:
    by_key = {a["key"]: a for a in evidence["areas"]}
    rated = []
    areas = rubric.areas[:len(rubric.areas) - skip] if skip else rubric.areas
    for area in areas:
        found = demo_rating(by_key[area.key])
        if found is None:
            rating, why = JUDGEMENT.get(area.key, (3, "Judged on the documents and interviews; no measure is linked."))
            findings = ""
        else:
            rating, why, findings = found
        rate_area(session, review, area.key, rating=rating, rationale=why, findings=findings, actor=REVIEWER)
        rated.append((area.key, rating))
    return rated


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def build_review_demo(engine: Engine, *, end: str, actor: str) -> list[str]:
    """Add the demo reviews to a computed demo database whose data ends in ``end`` (YYYY-MM):
    a signed review of the year before ``end``'s year and a draft of ``end``'s year, per
    provider. Returns one line per provider saying what was made."""
    year, last_month = parse_month(end)
    previous = year - 1
    signed_at = dt.datetime(year, 1, 20, 10, 30, tzinfo=dt.timezone.utc)
    opened_at = dt.datetime(year, 1, 6, 9, 0, tzinfo=dt.timezone.utc)
    data_end = _last_day(year, last_month)
    with session_scope(engine) as session:
        providers = [(p.id, p.name, p.kind) for p in session.scalars(select(Provider).order_by(Provider.name))]
    lines = []
    for pid, name, kind in providers:
        file, text = shipped_text(kind)
        rubric = load_rubric(text, source=file)
        lines.append(_previous_year(engine, (pid, name, kind), rubric, previous, opened_at, signed_at, last_month,
                                    data_end, actor))
        lines.append(_current_year(engine, (pid, name, kind), rubric, year, data_end))
        if name == SHARED_WITH:
            with session_scope(engine) as session:
                set_provider_access(session, session.get(Provider, pid), True, actor=actor)
    return lines


def _previous_year(engine, provider, rubric, year, opened_at, signed_at, last_month, data_end, actor) -> str:
    pid, name, kind = provider
    with session_scope(engine) as session:
        review = open_review(session, session.get(Provider, pid), year, rubric, actor=REVIEWER, now=opened_at)
        rid = review.id
        if kind == "it":
            add_document(session, review, filename="iso27001-certificate.pdf", area_key="security",
                         content=_pdf("ISO/IEC 27001:2022 certificate", [f"Holder: {name}",
                                      "Scope: managed IT services, service desk and data centre operations",
                                      f"Valid until {year + 2}-03-31"]),
                         description="ISO/IEC 27001 certificate (summary page)", expires_on=f"{year + 2}-03-31",
                         actor=REVIEWER)
            add_document(session, review, filename="vendor-commission-statement.txt", area_key="vendors",
                         content=(f"Statement of referral fees and commissions, {year}\n\n{name} resells Microsoft "
                                  "365 and backup storage at a margin of 8-12 %.\nNo referral fees were received.\n"
                                  ).encode(), description="The provider's statement of margins and referral fees",
                         actor=REVIEWER)
        else:
            add_document(session, review, filename="soc2-type2-report-letter.pdf", area_key="confidentiality",
                         content=_pdf("SOC 2 Type II report - independent service auditor's letter",
                                      [f"Service organisation: {name}", f"Period: {year}-01-01 to {year}-12-31",
                                       f"Bridge letter valid until {year + 1}-06-30"]),
                         description="SOC 2 Type II report letter", expires_on=f"{year + 1}-06-30", actor=REVIEWER)
        docs = document_rows(session, review)
    evidence = year_evidence(engine, (pid, name), year, rubric, documents=docs, today=signed_at.date(), now=signed_at)
    with session_scope(engine) as session:
        review = get_review(session, rid)
        rated = _rate_all(session, review, rubric, evidence)
        weak = [k for k, r in sorted(rated, key=lambda kr: (kr[1], [a.key for a in rubric.areas].index(kr[0])))
                if r <= 2][:3]
        owner = f"{name} service delivery manager" if kind == "it" else f"{name} engagement partner"
        due_months = sorted({max(1, round(last_month * (i + 1) / (len(weak) + 1))) for i in range(len(weak))})
        for key, month in zip(weak, due_months + [last_month] * (len(weak) - len(due_months))):
            add_recommendation(session, review, area_key=key, text=ADVICE.get(key, "Agree an improvement plan."),
                               owner=owner, due=_last_day(year + 1, month), actor=REVIEWER)
        strong = [rubric.area(k).name for k, r in rated if r >= 4]
        weak_names = [rubric.area(k).name for k in weak]
        months = evidence["months"]
        span = f"{_month_name(months[0])} to {_month_name(months[-1])}" if months else "no measured months"
        summary = (f"{name} was reviewed on {len(months)} months of measured evidence ({span}), the documents "
                   f"attached and interviews. " + (f"Strongest: {', '.join(strong)}. " if strong else "")
                   + (f"Weakest: {', '.join(weak_names)}, where recommendations with owners and due dates are made."
                      if weak_names else "No area is weak enough to need a recommendation."))
        set_summary(session, review, summary, actor=REVIEWER)
        submit_review(session, review, evidence, actor=REVIEWER, now=signed_at - dt.timedelta(days=2))
        sign_review(session, review, signer=REVIEWER, signer_role="reviewer",
                    accepted=["no_financial_interest", "no_referral_fees", "no_other_relationship"],
                    disclosures="", now=signed_at)
        assert review.status == SIGNED
        actions = [r["action"]["id"] for r in recommendation_rows(session, review)]
        closed = 0
        for i, action_id in enumerate(actions[:2]):
            due = get_action(session, action_id).due_on
            on = due - dt.timedelta(days=5) if i == 0 else due + dt.timedelta(days=12)
            if signed_at.date() <= on <= data_end:
                close_action(session, action_id, on=on, actor=REVIEWER, today=data_end)
                closed += 1
    return (f"{name}: {year} review signed by {REVIEWER} ({len(actions)} improvement action"
            f"{'s' if len(actions) != 1 else ''}, {closed} closed)")


def _current_year(engine, provider, rubric, year, data_end) -> str:
    pid, name, kind = provider
    opened = dt.datetime(data_end.year, data_end.month, 1, 9, 0, tzinfo=dt.timezone.utc)
    with session_scope(engine) as session:
        review = open_review(session, session.get(Provider, pid), year, rubric, actor=REVIEWER, now=opened)
        rid = review.id
    evidence = year_evidence(engine, (pid, name), year, rubric, today=data_end)
    with session_scope(engine) as session:
        rated = _rate_all(session, get_review(session, rid), rubric, evidence, skip=2)
    first, last = (evidence["months"][0], evidence["months"][-1]) if evidence["months"] else ("", "")
    return (f"{name}: {year} review drafted ({len(rated)} of {len(rubric.areas)} areas rated on "
            f"{len(evidence['months'])} months, {first} … {last})")

