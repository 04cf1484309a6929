"""A scored month as rows people read: the Scorecard page, the board pack and the XLSX share them.

Pure functions over ``ScoredScorecard.to_dict()`` (docs/scorecards.md), stored drift signals
and comments: nothing here reads the database or renders markup. Values shown are exactly
the scored month's ``text`` values and scores rounded to one decimal, as
``steerco scorecard show`` prints them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from scorecard.display import PERCENT_UNITS, money, plain, value_text
from scorecard.drift.wording import RULE_DESCRIPTIONS
from scorecard.drift.wording import label as series_label

STATUS_SHAPE = {"green": "●", "amber": "▲", "red": "■", "grey": "○"}
STATUS_WORD = {"green": "green", "amber": "amber", "red": "red", "grey": "no data"}
STATUS_ORDER = ("red", "amber", "green", "grey")
MINUS = "−"
_SUFFIX = {"hours": " h", "minutes": " min", "months": " months", "tickets": " tickets", "outages": " outages",
           "score": " points"}

Key = tuple[str, str]


def status_text(status: str) -> str:
    """``"■ red"``: the shape and the word, never the colour alone."""
    return f"{STATUS_SHAPE.get(status, '○')} {STATUS_WORD.get(status, status)}"


def score_text(score: float | None) -> str:
    return "—" if score is None else f"{score:.1f}"


def _signed(x: float, text: str) -> str:
    return f"+{text}" if x > 0 else f"{MINUS}{text}"


def score_change_text(change: float | None) -> str | None:
    """``"+0.4"`` / ``"−1.2"`` (score points), None without a previous score."""
    if change is None:
        return None
    if abs(change) < 0.05:
        return "no change"
    return _signed(change, f"{abs(change):.1f}")


def amount_change(change: float, unit: str, currency: str | None = None) -> str:
    """A difference in a measure's unit: ``−2.1 pts``, ``+£1,250``, ``+3.5 h``."""
    if unit in PERCENT_UNITS:
        points = abs(change) * 100
        decimals = 1 if points >= 0.05 else 2
        return _signed(change, f"{points:.{decimals}f} pts")
    if unit == "money":
        return _signed(change, money(abs(change), currency))
    return _signed(change, plain(abs(change), 2) + _SUFFIX.get(unit, ""))


def change_text(m: Mapping, currency: str | None = None) -> str | None:
    """Change since last month with its direction and judgement: ``"↓ 2.1 pts, worse"``."""
    change, movement = m.get("change"), m.get("movement")
    if change is None or movement is None:
        return None
    if movement == "unchanged":
        return "→ unchanged"
    arrow = "↑" if change > 0 else "↓"
    return f"{arrow} {amount_change(change, m['unit'], currency).lstrip('+' + MINUS)}, {movement}"


def ci_text(m: Mapping, currency: str | None = None) -> str | None:
    """``"95 % CI 54.8–91.0 %"``, or None without an interval."""
    low, high = m.get("ci_low"), m.get("ci_high")
    if low is None or high is None:
        return None
    unit = m["unit"]
    if unit in PERCENT_UNITS:
        return f"95 % CI {low * 100:.1f}–{high * 100:.1f} %"
    return f"95 % CI {value_text(low, unit, currency=currency)} to {value_text(high, unit, currency=currency)}"


def interval_text(m: Mapping, currency: str | None = None) -> str | None:
    """``"n = 126 · 95 % CI 54.8–91.0 %"``, with whatever of the two applies."""
    parts = [f"n = {m['n']:,}"] if m.get("n") is not None else []
    ci = ci_text(m, currency)
    if ci:
        parts.append(ci)
    return " · ".join(parts) or None


def worst_signal(signals: Iterable[Mapping], measure: str, params: str) -> dict | None:
    """The most severe signal of a series (``direction`` worse before better at equal severity)."""
    mine = [s for s in signals if s["measure"] == measure and s["params"] == params]
    if not mine:
        return None
    best = max(mine, key=lambda s: (s.get("severity") or 0.0, s.get("direction") == "worse"))
    return dict(best)


def drift_text(signal: Mapping | None) -> str | None:
    """``"⚑ drifting worse"`` for a marker; its sentence says the rest."""
    if signal is None:
        return None
    return f"⚑ drifting {signal['direction']}"


def _finite(values: Iterable[float | None]) -> list[float | None]:
    return [None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v for v in values]


def scorecard_rows(scored: Mapping, signals: Iterable[Mapping] = (), comments: Iterable[Mapping] = (),
                   history: Mapping[Key, list[tuple[str, float | None]]] | None = None) -> list[dict]:
    """Perspectives, objectives and measures in order, one dict each, ready to show.

    ``signals`` are the month's stored drift signals, ``comments`` the month's comments
    (both as dicts with ``measure`` and ``params``); ``history`` maps (measure, params key) to
    the twelve months up to this one as (month, value) pairs, for sparklines.
    """
    signals, comments, history = list(signals), list(comments), history or {}
    currency = scored.get("currency")
    rows: list[dict] = []
    for p in scored["perspectives"]:
        rows.append(_node("perspective", p))
        for o in p["objectives"]:
            rows.append(_node("objective", o, perspective=p["name"]))
            for m in o["measures"]:
                key = (m["measure"], m["params_key"])
                signal = worst_signal(signals, *key)
                said = [dict(c) for c in comments if (c["measure"], c["params"]) == key]
                spark = list(history.get(key, []))
                rows.append({
                    "level": "measure", "perspective": p["name"], "objective": o["name"],
                    "name": m["label"], "measure": m["measure"], "params": m["params"],
                    "params_key": m["params_key"], "unit": m["unit"], "direction": m["direction"],
                    "status": m["status"], "status_text": status_text(m["status"]),
                    "score": m["score"], "score_text": score_text(m["score"]),
                    "goal": m["goal"], "red_flag": m["red_flag"], "stretch": m["stretch"],
                    "goal_text": m["text"]["goal"], "red_flag_text": m["text"]["red_flag"],
                    "stretch_text": m["text"]["stretch"], "stretch_met": m["stretch_met"],
                    "value": m["value"], "value_text": m["text"]["value"],
                    "previous_value_text": m["text"]["previous_value"],
                    "provisional": bool(m["provisional"]), "n": m["n"],
                    "ci_low": m["ci_low"], "ci_high": m["ci_high"],
                    "interval_text": interval_text(m, currency),
                    "n_text": None if m["n"] is None else f"n = {m['n']:,}", "ci_text": ci_text(m, currency),
                    "change": m["change"], "movement": m["movement"], "change_text": change_text(m, currency),
                    "score_change_text": score_change_text(m["score_change"]),
                    "drift": signal, "drift_text": drift_text(signal),
                    "comments": said, "comment_count": len(said),
                    "spark_months": [month for month, _ in spark],
                    "spark_values": _finite(v for _, v in spark),
                    "reported_text": None if m.get("reported") is None else m["reported"]["text"],
                    "reported_flagged": bool(m.get("reported") and m["reported"]["flagged"]),
                    "notes": " · ".join(t for t in (
                        "stretch met" if m["stretch_met"] else None,
                        f"{len(said)} comment{'s' if len(said) != 1 else ''}" if said else None,
                        None if m.get("reported") is None else m["reported"]["text"]) if t),
                })
    return rows


def _node(level: str, node: Mapping, **extra: str) -> dict:
    return {"level": level, "name": node["name"], "status": node["status"],
            "status_text": status_text(node["status"]), "score": node["score"],
            "score_text": score_text(node["score"]), "score_change_text": score_change_text(node["score_change"]),
            "measure_count": node["measure_count"], "no_data_count": node["no_data_count"], **extra}


def status_counts(rows: Iterable[Mapping]) -> dict[str, int]:
    """How many measures are red, amber, green and without data."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for r in rows:
        if r["level"] == "measure":
            counts[r["status"]] = counts.get(r["status"], 0) + 1
    return counts


def attention(rows: Iterable[Mapping]) -> list[dict]:
    """What an executive should look at first, one item per measure: red ones (lowest score
    first), then amber ones that got worse, then any other drifting worse, then reported
    figures beyond their tolerance of the measured one; each with why."""
    items = []
    for r in rows:
        if r["level"] != "measure":
            continue
        red = r["status"] == "red"
        worse = r["status"] == "amber" and r["movement"] == "worse"
        drifting = r["drift"] is not None and r["drift"]["direction"] == "worse"
        disputed = bool(r.get("reported_flagged"))
        if not (red or worse or drifting or disputed):
            continue
        change = f", {r['change_text']}" if r["change_text"] else ""
        if red:
            summary = f"{r['value_text']} against a goal of {r['goal_text']} (red flag {r['red_flag_text']}){change}"
        elif worse:
            summary = f"got worse: {r['value_text']} against a goal of {r['goal_text']}{change}"
        elif drifting:
            summary = f"{r['value_text']} against a goal of {r['goal_text']}"
        else:
            summary = f"the provider's figure differs: {r['reported_text']}"
        rank = 0 if red else 1 if worse else 2 if drifting else 3
        items.append({"row": dict(r), "status": r["status"], "summary": summary,
                      "drift": r["drift"]["sentence"] if drifting else None,
                      "_key": (rank, r["score"] if r["score"] is not None else 10.0)})
    items.sort(key=lambda i: i["_key"])
    for i in items:
        del i["_key"]
    return items


def headline(scored: Mapping) -> dict:
    """The month in one line: overall score, status, change and data coverage."""
    count, missing = scored["measure_count"], scored["no_data_count"]
    return {
        "provider": scored["provider"], "month": scored["month"], "status": scored["status"],
        "status_text": status_text(scored["status"]), "score": scored["score"],
        "score_text": score_text(scored["score"]), "score_change_text": score_change_text(scored["score_change"]),
        "coverage_text": (f"{missing} of {count} measures without data" if missing
                          else f"all {count} measures have data"),
    }


def credit_rows(credits: Mapping) -> dict:
    """Service credits as shown: each line's arithmetic and the total's."""
    lines = [{"label": line["label"], "text": line["text"], "amount": line["amount"],
              "amount_text": money(line["amount"], credits.get("currency")) if line["amount"] else "—",
              "provisional": line["provisional"], "earned": bool(line["amount"])}
             for line in credits["lines"]]
    return {"lines": lines, "text": credits["text"], "total": credits["total"],
            "total_text": money(credits["total"], credits.get("currency")),
            "provisional": credits["provisional"], "has_rules": bool(credits["lines"])}


def signal_rows(signals: Iterable[Mapping]) -> list[dict]:
    """Signals worst first (severity, then worse before better), with the series' label and the rule in words."""
    ordered = sorted(signals, key=lambda s: (-(s.get("severity") or 0.0), s["direction"] != "worse",
                                            s["provider"], s["measure"], s["params"], s["rule"]))
    return [{**s, "label": series_label(s["measure"], s["params"]),
             "rule_text": f"{s['rule']}: {RULE_DESCRIPTIONS.get(s['rule'], s['rule'])}"} for s in ordered]


def group_signals(signals: Iterable[Mapping], labels: Mapping[tuple[str, str, str], str] | None = None, *,
                  scorecard_only: bool = False, worse_only: bool = False) -> list[dict]:
    """One row per series (provider, measure, params) that raised signals, worst first.

    A series often trips several rules at once (a limit, CUSUM, EWMA); the row keeps the most
    severe signal's sentence and direction and lists every rule. ``labels`` names the series
    on a scorecard (by its scorecard label); with ``scorecard_only`` the other series — the
    breakdowns no one agreed targets for — are left out.
    """
    labels = labels or {}
    series: dict[tuple[str, str, str], list[dict]] = {}
    for s in signals:
        series.setdefault((s["provider"], s["measure"], s["params"]), []).append(dict(s))
    rows = []
    for key, found in series.items():
        if scorecard_only and key not in labels:
            continue
        found.sort(key=lambda s: (-(s.get("severity") or 0.0), s["direction"] != "worse", s["rule"]))
        worst = found[0]
        if worse_only and worst["direction"] != "worse":
            continue
        rows.append({**worst, "label": labels.get(key) or series_label(key[1], key[2]),
                     "on_scorecard": key in labels, "rules": [s["rule"] for s in found],
                     "rules_text": ", ".join(f"{s['rule']} ({RULE_DESCRIPTIONS.get(s['rule'], s['rule'])})"
                                             for s in found),
                     "since": min(s["since"] for s in found), "signal_count": len(found)})
    rows.sort(key=lambda r: (-(r.get("severity") or 0.0), r["direction"] != "worse", r["provider"], r["label"]))
    return rows
