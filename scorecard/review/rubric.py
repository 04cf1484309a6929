"""Competence-review rubrics: the areas a reviewer rates, what each capability level means,
and which measures are the evidence for each area (DESIGN.md §7, docs/review.md).

A rubric is a versioned TOML text. Two ship with steerco as package data
(``scorecard/rubrics/it.toml`` and ``legal.toml``); an organisation may write its own.
:func:`load_rubric` parses and validates one, collecting every mistake with its line::

    [rubric]
    key = "it"                 # a short name: letters, digits, _ and -
    version = 1                # a whole number; raise it when the text changes
    kind = "it"                # the provider kind it is for: it or legal
    title = "IT managed services"

    [[levels]]                 # exactly six, levels 0 to 5
    level = 0
    name = "Incomplete"
    meaning = "…"

    [[areas]]
    key = "service_desk"
    name = "Service desk and incident management"
    question = "…"             # what the reviewer answers
    look_for = ["…"]           # optional: what to examine
    documents = ["…"]          # optional: documents to ask the provider for
    levels = ["…", …]          # optional: six meanings of levels 0–5 in this area

    [[areas.measures]]         # optional: the measured evidence for this area
    measure = "sla.resolution_met"
    params = { priority = "P1" }   # "*" as a value: every stored series, e.g. { service = "*" }
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass

from scorecard.catalogue import SeriesKeyed
from scorecard.display import measure_label
from scorecard.errors import BadInput, InvalidInput, NotFound, Problem
from scorecard.locate import Path, syntax_error_position
from scorecard.reader import Reader

KINDS = ("it", "legal")
WILDCARD = "*"
LEVELS = tuple(range(6))
_KEY = re.compile(r"[a-z][a-z0-9_-]{0,39}")
TOP_KEYS = ("rubric", "levels", "areas")
RUBRIC_KEYS = ("key", "version", "kind", "title", "description")
LEVEL_KEYS = ("level", "name", "meaning")
AREA_KEYS = ("key", "name", "question", "look_for", "documents", "levels", "measures")
LINK_KEYS = ("measure", "params", "label")


@dataclass(frozen=True)
class Level:
    level: int
    name: str
    meaning: str


@dataclass(frozen=True)
class MeasureLink(SeriesKeyed):
    """A measure series that is evidence for an area: a catalogue id and its parameters."""

    measure: str
    params: Mapping[str, str]
    label: str | None = None

    @property
    def is_pattern(self) -> bool:
        """True when a parameter is ``"*"``: every stored series with that parameter."""
        return WILDCARD in self.params.values()

    def matches(self, params: Mapping[str, str]) -> bool:
        """Whether a stored series' parameters fit this link (same names; ``"*"`` fits any value)."""
        if set(params) != set(self.params):
            return False
        return all(v == WILDCARD or params[k] == v for k, v in self.params.items())


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    question: str
    look_for: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()          # six area-specific meanings, or none
    measures: tuple[MeasureLink, ...] = ()

    def level_meaning(self, rubric: Rubric, level: int) -> str:
        """What ``level`` means in this area: its own wording, else the rubric's."""
        return self.levels[level] if self.levels else rubric.level(level).meaning


@dataclass(frozen=True, eq=False)
class Rubric:
    key: str
    version: int
    kind: str
    title: str
    description: str
    levels: tuple[Level, ...]
    areas: tuple[Area, ...]
    source: str
    text: str

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.title} (rubric {self.key} v{self.version})"

    def level(self, level: int) -> Level:
        return self.levels[level]

    def area(self, key: str) -> Area:
        for a in self.areas:
            if a.key == key:
                return a
        known = ", ".join(a.key for a in self.areas)
        raise NotFound(f"the rubric {self.key} v{self.version} has no area {str(key)[:80]!r} (areas: {known})")

    def measure_keys(self) -> list[tuple[str, str]]:
        """Every linked (measure id, params key), each once, in rubric order."""
        out: list[tuple[str, str]] = []
        for a in self.areas:
            for m in a.measures:
                if m.key not in out:
                    out.append(m.key)
        return out


def load_rubric(text: str, *, source: str) -> Rubric:
    """Parse and validate a rubric; raises ``InvalidInput`` listing every problem with its line."""
    if not isinstance(text, str):
        raise BadInput(f"{source}: a rubric is text, got {type(text).__name__}")
    body = text.removeprefix("\ufeff")
    try:
        doc = tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        message, line, col = syntax_error_position(exc, body)
        where = f" at column {col}" if col is not None else ""
        problem = Problem(f"not valid TOML: {message[:1].lower()}{message[1:]}{where}", source=source, row=line)
        raise InvalidInput(f"{source}: 1 problem in the rubric, nothing was loaded", [problem]) from None
    r = Reader(source, body)
    r.keys(doc, (), TOP_KEYS, required=TOP_KEYS)
    head = _head(r, doc["rubric"]) if "rubric" in doc else None
    levels = _levels(r, doc["levels"]) if "levels" in doc else None
    areas = _areas(r, doc["areas"]) if "areas" in doc else None
    r.raise_if_any("the rubric")
    assert head is not None and levels is not None and areas is not None
    key, version, kind, title, description = head
    return Rubric(key, version, kind, title, description, levels, areas, source, text)


def _head(r: Reader, data: object) -> tuple | None:
    path: Path = ("rubric",)
    table = r.table(data, path)
    if table is None:
        return None
    r.keys(table, path, RUBRIC_KEYS, required=("key", "version", "kind", "title"))
    key = _key(r, table["key"], path + ("key",)) if "key" in table else None
    version = r.whole(table["version"], path + ("version",), 1, 1_000_000) if "version" in table else None
    kind = r.choice(table["kind"], path + ("kind",), KINDS) if "kind" in table else None
    title = r.text(table["title"], path + ("title",)) if "title" in table else None
    description = r.text(table["description"], path + ("description",)) if "description" in table else ""
    if None in (key, version, kind, title, description):
        return None
    return key, version, kind, title.strip(), description.strip()


def _key(r: Reader, value: object, path: Path) -> str | None:
    if isinstance(value, str) and _KEY.fullmatch(value):
        return value
    r.add(path, f"a key is 1–40 lower-case letters, digits, _ or -, starting with a letter; got {value!r}")
    return None


def _levels(r: Reader, data: object) -> tuple[Level, ...] | None:
    path: Path = ("levels",)
    items = r.tables(data, path, what="levels")
    if items is None:
        return None
    found: dict[int, Level] = {}
    ok = True
    for i, item in enumerate(items):
        p = path + (i,)
        r.keys(item, p, LEVEL_KEYS, required=LEVEL_KEYS)
        level = r.whole(item["level"], p + ("level",), 0, 5) if "level" in item else None
        name = r.text(item["name"], p + ("name",)) if "name" in item else None
        meaning = r.text(item["meaning"], p + ("meaning",)) if "meaning" in item else None
        if level is not None and level in found:
            r.add(p + ("level",), f"level {level} is described twice")
            ok = False
        elif None not in (level, name, meaning):
            found[level] = Level(level, name.strip(), meaning.strip())
        else:
            ok = False
    missing = [str(n) for n in LEVELS if n not in found]
    if ok and missing:
        r.add(path, f"every level from 0 to 5 needs a meaning; missing: {', '.join(missing)}")
    return tuple(found[n] for n in LEVELS) if ok and not missing else None


def _texts(r: Reader, value: object, path: Path) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        r.add(path, "expected a list of non-empty texts")
        return None
    return tuple(v.strip() for v in value)


def _areas(r: Reader, data: object) -> tuple[Area, ...] | None:
    path: Path = ("areas",)
    items = r.tables(data, path, what="areas")
    if items is None:
        return None
    if not items:
        r.add(path, "a rubric needs at least one area")
        return None
    out: list[Area] = []
    seen: dict[str, int | None] = {}
    ok = True
    for i, item in enumerate(items):
        area = _area(r, item, path + (i,), seen)
        if area is None:
            ok = False
        else:
            out.append(area)
    return tuple(out) if ok else None


def _area(r: Reader, item: Mapping, p: Path, seen: dict[str, int | None]) -> Area | None:
    r.keys(item, p, AREA_KEYS, required=("key", "name", "question"))
    key = _key(r, item["key"], p + ("key",)) if "key" in item else None
    if key is not None and key in seen:
        r.add(p + ("key",), f"area {key!r} is defined twice (first at line {seen[key]})")
        key = None
    elif key is not None:
        seen[key] = r.line(p + ("key",))
    name = r.text(item["name"], p + ("name",)) if "name" in item else None
    question = r.text(item["question"], p + ("question",)) if "question" in item else None
    look_for = _texts(r, item["look_for"], p + ("look_for",)) if "look_for" in item else ()
    documents = _texts(r, item["documents"], p + ("documents",)) if "documents" in item else ()
    levels = _texts(r, item["levels"], p + ("levels",)) if "levels" in item else ()
    if levels and len(levels) != 6:
        r.add(p + ("levels",), f"an area's levels are six meanings, for 0 to 5; got {len(levels)}")
        levels = None
    measures = _links(r, item["measures"], p + ("measures",)) if "measures" in item else ()
    if None in (key, name, question, look_for, documents, levels, measures):
        return None
    return Area(key, name.strip(), question.strip(), look_for, documents, levels, measures)


def _links(r: Reader, data: object, path: Path) -> tuple[MeasureLink, ...] | None:
    items = r.tables(data, path, what="areas.measures")
    if items is None:
        return None
    out: list[MeasureLink] = []
    ok = True
    for k, item in enumerate(items):
        p = path + (k,)
        r.keys(item, p, LINK_KEYS, required=("measure",))
        info = r.measure(item["measure"], p + ("measure",)) if "measure" in item else None
        params = _params(r, item.get("params", {}), p + ("params",), info) if info is not None else None
        label = r.text(item["label"], p + ("label",)) if "label" in item else None
        if info is None or params is None or ("label" in item and label is None):
            ok = False
            continue
        link = MeasureLink(info.id, params, label.strip() if label else measure_label(info.name, params))
        if any(o.key == link.key for o in out):
            r.add(p, f"{info.id} {link.params_key} is linked to this area twice")
            ok = False
            continue
        out.append(link)
    return tuple(out) if ok else None


def _params(r: Reader, value: object, path: Path, info) -> dict[str, str] | None:
    """A link's parameters as the catalogue allows them; ``"*"`` stands for every stored value."""
    table = r.table(value, path)
    if table is None:
        return None
    fixed = {k: v for k, v in table.items() if v != WILDCARD}
    checked = r.params(fixed, path, info)
    bad = [k for k in table if table[k] == WILDCARD and k not in info.params]
    for k in bad:
        r.add(path + (k,), f"{info.id} takes no parameter {k!r} (allowed: {', '.join(info.params) or 'none'})")
    if checked is None or bad:
        return None
    return {k: str(table[k]) for k in table}
