"""The measured evidence of a review year, summarised area by area (pure).

:func:`summarise_year` turns a provider's stored results of one calendar year, the targets of
the scorecard version in force each month, the drift signals raised that year, the months'
service credits and the attached documents into one JSON-able ``dict``. A draft shows it
live; submitting a review freezes it (``reviews.evidence``), so a signed review keeps the
numbers it was signed on even if results are recomputed later.

Per measure series (docs/review.md, "Evidence"):

- every month's stored value, numerator, denominator, n, and status under the version in force
  (green meets the goal; ``None`` when the series has no target that month);
- months on target (green) of the months judged against a target (green, amber or red), and
  the amber, red and grey (a target but no data) counts;
- the year's value: pooled (Σ numerator ÷ Σ denominator) for proportions, the total for
  counts, the mean of the monthly values otherwise;
- the trend: the first three months with data against the last three (with at least six
  months of data), and the Theil–Sen slope (median of pairwise slopes, per month, with at
  least four months) — each also as "better" / "worse" by the measure's direction;
- drift signals raised in the year, grouped by episode (direction and "since");
- a link to the measure's page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import polars as pl

from scorecard.catalogue import CATALOGUE, COUNT, HIGHER, PROPORTION, params_key
from scorecard.display import measure_label, money, value_text
from scorecard.review.rubric import Area, MeasureLink, Rubric
from scorecard.scoring import measure_status

SOON_DAYS = 90
MIN_TREND_MONTHS = 6
MIN_SLOPE_MONTHS = 4
EVIDENCE_FORMAT = 1


@dataclass(frozen=True)
class Target:
    goal: float
    red_flag: float
    direction: str
    label: str


def year_months(year: int) -> list[str]:
    return [f"{year:04d}-{m:02d}" for m in range(1, 13)]


def theil_sen(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """The median of the slopes between every pair of points (None with fewer than two)."""
    slopes = [(ys[j] - ys[i]) / (xs[j] - xs[i]) for i in range(len(xs)) for j in range(i + 1, len(xs))
              if xs[j] != xs[i]]
    if not slopes:
        return None
    slopes.sort()
    mid = len(slopes) // 2
    return slopes[mid] if len(slopes) % 2 else (slopes[mid - 1] + slopes[mid]) / 2


def movement(change: float | None, direction: str) -> str | None:
    if change is None or not math.isfinite(change):
        return None
    if abs(change) <= 1e-12:
        return "unchanged"
    return "better" if (change > 0) == (direction == HIGHER) else "worse"


def _finite(x: object) -> float | None:
    return float(x) if isinstance(x, (int, float)) and math.isfinite(x) else None


def aggregate(rows: Sequence[Mapping], kind: str) -> tuple[float | None, str]:
    """(value, basis) of several months: pooled, total or mean (see the module's docstring)."""
    values = [_finite(r["value"]) for r in rows]
    values = [v for v in values if v is not None]
    if not values:
        return None, "none"
    if kind == PROPORTION and rows and all(_finite(r.get("numerator")) is not None
                                           and _finite(r.get("denominator")) for r in rows):
        den = sum(r["denominator"] for r in rows)
        if den > 0:
            return sum(r["numerator"] for r in rows) / den, "pooled"
    if kind == COUNT:
        return float(sum(values)), "total"
    return sum(values) / len(values), "mean"


def measure_link(provider: str, measure: str, params: str, month: str | None) -> str:
    query = {"provider": provider, "measure": measure, "params": params}
    if month:
        query["month"] = month
    return "/measure?" + urlencode(query)


def _series_keys(link: MeasureLink, stored: Iterable[str]) -> list[str]:
    """The params keys a link stands for: itself, or every stored series that fits its pattern."""
    if not link.is_pattern:
        return [link.params_key]
    found = sorted(k for k in stored if link.matches(json.loads(k)))
    return found


def summarise_series(*, provider: str, measure: str, params: str, label: str | None, rows: Sequence[Mapping],
                     targets: Mapping[str, Mapping[tuple[str, str], Target]], signals: Sequence[Mapping],
                     currency: str | None) -> dict:
    """One series' evidence for the year. ``rows`` are its stored results (RESULT_SCHEMA dicts),
    ``targets`` month → key → target of the version in force, ``signals`` its drift signals."""
    info = CATALOGUE[measure]
    key = (measure, params)
    rows = sorted(rows, key=lambda r: r["month"])
    any_target = next((targets[m][key] for m in sorted(targets) if key in targets[m]), None)
    direction = any_target.direction if any_target else info.better
    label = label or (any_target.label if any_target else measure_label(info.name, json.loads(params)))

    def text(v: float | None) -> str:
        return value_text(v, info.unit, currency=currency)

    months = []
    for r in rows:
        t = targets.get(r["month"], {}).get(key)
        value = _finite(r["value"])
        status = measure_status(value, t.goal, t.red_flag, t.direction) if t else None
        months.append({"month": r["month"], "value": value, "numerator": _finite(r.get("numerator")),
                       "denominator": _finite(r.get("denominator")), "n": r.get("n"),
                       "provisional": bool(r.get("provisional")), "status": status,
                       "goal": t.goal if t else None, "red_flag": t.red_flag if t else None, "text": text(value)})
    stored_months = {m["month"] for m in months}
    with_target = [m for m in months if m["status"] is not None]
    # months the scorecard asked for this series but nothing is stored: grey
    grey_missing = sum(1 for m, t in targets.items() if key in t and m not in stored_months)
    counts = {s: sum(1 for m in with_target if m["status"] == s) for s in ("green", "amber", "red", "grey")}
    counts["grey"] += grey_missing
    data = [m for m in months if m["value"] is not None]
    year_value, basis = aggregate(rows, info.kind)
    out = {
        "measure": measure, "params": params, "label": label, "name": info.name, "unit": info.unit,
        "kind": info.kind, "direction": direction, "on_scorecard": any_target is not None,
        "months": months, "months_with_data": len(data),
        "months_with_target": len(with_target) + grey_missing, "on_target": counts["green"],
        "judged": counts["green"] + counts["amber"] + counts["red"],
        "amber": counts["amber"], "red": counts["red"], "grey": counts["grey"],
        "year_value": year_value, "year_basis": basis,
        "first_quarter": None, "last_quarter": None, "quarter_change": None, "quarter_movement": None,
        "first_quarter_months": [], "last_quarter_months": [],
        "slope": None, "slope_movement": None,
        "best": None, "worst": None,
        "signals": _signals(signals),
        "link": measure_link(provider, measure, params, data[-1]["month"] if data else None),
    }
    if len(data) >= MIN_TREND_MONTHS:
        first, last = data[:3], data[-3:]
        by_month = {r["month"]: r for r in rows}
        q1, _ = aggregate([by_month[m["month"]] for m in first], info.kind)
        q4, _ = aggregate([by_month[m["month"]] for m in last], info.kind)
        change = None if q1 is None or q4 is None else q4 - q1
        out.update(first_quarter=q1, last_quarter=q4, quarter_change=change,
                   quarter_movement=movement(change, direction),
                   first_quarter_months=[m["month"] for m in first], last_quarter_months=[m["month"] for m in last])
    if len(data) >= MIN_SLOPE_MONTHS:
        xs = [int(m["month"][:4]) * 12 + int(m["month"][5:7]) for m in data]
        slope = theil_sen(xs, [m["value"] for m in data])
        out.update(slope=slope, slope_movement=movement(slope, direction))
    if data:
        up = direction == HIGHER
        best = max(data, key=lambda m: m["value"] if up else -m["value"])
        worst = min(data, key=lambda m: m["value"] if up else -m["value"])
        out["best"] = {"month": best["month"], "value": best["value"], "text": best["text"]}
        out["worst"] = {"month": worst["month"], "value": worst["value"], "text": worst["text"]}
    out["text"] = {"year_value": text(year_value), "first_quarter": text(out["first_quarter"]),
                   "last_quarter": text(out["last_quarter"])}
    return out


def _signals(signals: Sequence[Mapping]) -> dict:
    items = sorted(({"month": s["month"], "rule": s["rule"], "direction": s["direction"], "since": s["since"],
                     "sentence": s["sentence"]} for s in signals), key=lambda s: s["month"])
    episodes: dict[tuple[str, str], dict] = {}
    for s in items:
        e = episodes.setdefault((s["direction"], s["since"]), {"direction": s["direction"], "since": s["since"],
                                                                "first": s["month"], "months": 0})
        e.update(last=s["month"], rule=s["rule"], sentence=s["sentence"])
        e["months"] += 1
    return {"worse": sum(s["direction"] == "worse" for s in items),
            "better": sum(s["direction"] == "better" for s in items),
            "episodes": sorted(episodes.values(), key=lambda e: (e["direction"] != "worse", e["first"]))}


def _document(doc: Mapping, today: dt.date) -> dict:
    out = dict(doc)
    expires = doc.get("expires_on")
    if expires:
        when = dt.date.fromisoformat(str(expires))
        out["expiry"] = "expired" if when < today else (
            "expires soon" if (when - today).days <= SOON_DAYS else "valid")
    else:
        out["expiry"] = None
    return out


def _credits(statements: Sequence[Mapping], keys: set[tuple[str, str]] | None, currency: str | None) -> dict:
    lines = []
    for st in statements:
        for line in st.get("lines", []):
            key = (line["measure"], params_key(line.get("params") or {}))
            if line.get("amount") and (keys is None or key in keys):
                lines.append({"month": st["month"], "label": line["label"], "measure": line["measure"],
                              "params": key[1], "amount": line["amount"], "text": line.get("text", "")})
    total = sum(st.get("total", 0.0) for st in statements) if keys is None else sum(x["amount"] for x in lines)
    return {"total": total, "total_text": money(total, currency), "lines": lines, "months": len({x["month"] for x in lines})}


def summarise_area(area: Area, *, provider: str, results: pl.DataFrame, targets, signals: pl.DataFrame,
                   statements: Sequence[Mapping], documents: Sequence[Mapping], currency: str | None) -> dict:
    series = []
    for link in area.measures:
        stored = results.filter(pl.col("measure") == link.measure)
        keys = _series_keys(link, stored["params"].unique().to_list())
        if not keys:  # a pattern with nothing stored
            series.append(_empty(provider, link))
            continue
        found = []
        for k in keys:
            rows = stored.filter(pl.col("params") == k).to_dicts()
            sig = signals.filter((pl.col("measure") == link.measure) & (pl.col("params") == k)).to_dicts()
            label = link.label if not link.is_pattern else None
            found.append(summarise_series(provider=provider, measure=link.measure, params=k, label=label, rows=rows,
                                          targets=targets, signals=sig, currency=currency))
        series.extend(sorted(found, key=lambda s: not s["on_scorecard"]))  # the agreed series first
    keys = {(s["measure"], s["params"]) for s in series}
    judged = sum(s["judged"] for s in series)
    return {
        "key": area.key, "name": area.name, "measures": series,
        "months_with_target": sum(s["months_with_target"] for s in series), "judged": judged,
        "on_target": sum(s["on_target"] for s in series), "amber": sum(s["amber"] for s in series),
        "red": sum(s["red"] for s in series), "grey": sum(s["grey"] for s in series),
        "share_on_target": (sum(s["on_target"] for s in series) / judged) if judged else None,
        "worse_signals": sum(s["signals"]["worse"] for s in series),
        "credits": _credits(statements, keys, currency),
        "documents": [d for d in documents if d.get("area_key") == area.key],
    }


def _empty(provider: str, link: MeasureLink) -> dict:
    info = CATALOGUE[link.measure]
    wild = [k for k, v in link.params.items() if v == "*"]
    return {"measure": link.measure, "params": link.params_key, "label": f"{info.name} (every {', '.join(wild)})",
            "name": info.name, "unit": info.unit, "kind": info.kind, "direction": info.better,
            "on_scorecard": False, "months": [], "months_with_data": 0, "months_with_target": 0, "judged": 0,
            "on_target": 0,
            "amber": 0, "red": 0, "grey": 0, "year_value": None, "year_basis": "none", "first_quarter": None,
            "last_quarter": None, "quarter_change": None, "quarter_movement": None, "first_quarter_months": [],
            "last_quarter_months": [], "slope": None, "slope_movement": None, "best": None, "worst": None,
            "signals": {"worse": 0, "better": 0, "episodes": []}, "link": None,
            "text": {"year_value": "no data", "first_quarter": "no data", "last_quarter": "no data"}}


def summarise_year(rubric: Rubric, *, provider: str, year: int, results: pl.DataFrame,
                   targets: Mapping[str, Mapping[tuple[str, str], Target]], signals: pl.DataFrame,
                   statements: Sequence[Mapping], documents: Sequence[Mapping], currency: str | None,
                   today: dt.date, computed_at: str, versions: Sequence[Mapping] = ()) -> dict:
    """The whole year's evidence (see the module's docstring); every number from the inputs."""
    months = year_months(year)
    results = results.filter(pl.col("month").is_in(months))
    signals = signals.filter(pl.col("month").is_in(months))
    data_months = sorted(results["month"].unique().to_list())
    targets = {m: t for m, t in targets.items() if m in data_months}
    statements = [s for s in statements if s.get("month") in data_months]
    docs = [_document(d, today) for d in documents]
    areas = [summarise_area(a, provider=provider, results=results, targets=targets, signals=signals,
                            statements=statements, documents=docs, currency=currency) for a in rubric.areas]
    body = {
        "format": EVIDENCE_FORMAT, "provider": provider, "year": year, "currency": currency,
        "months": data_months, "first_month": data_months[0] if data_months else None,
        "last_month": data_months[-1] if data_months else None, "complete": len(data_months) == 12,
        "rubric": {"key": rubric.key, "version": rubric.version, "sha256": rubric.fingerprint},
        "scorecard_versions": list(versions), "computed_at": computed_at, "as_of": today.isoformat(),
        "areas": areas, "credits": _credits(statements, None, currency),
        "documents": [d for d in docs if not d.get("area_key")],
    }
    body["sha256"] = fingerprint(body)
    return body


def fingerprint(evidence: Mapping) -> str:
    """SHA-256 of the evidence's canonical JSON (without its own fingerprint)."""
    clean = {k: v for k, v in evidence.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(clean, sort_keys=True, separators=(",", ":"), default=str,
                                     allow_nan=False).encode("utf-8")).hexdigest()
