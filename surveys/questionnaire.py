"""Questionnaires: versioned definitions written in TOML (format in docs/surveys.md).

``parse_questionnaire`` turns the text into a ``Questionnaire`` or raises ``InvalidInput``
naming the file, the question and the field; nothing is guessed or coerced. The shipped
defaults live next to this module (``questionnaires/helpdesk.toml``, ``legal.toml``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from scorecard.errors import InvalidInput, Problem
from surveys.i18n import LANGUAGES

SHIPPED = Path(__file__).with_name("questionnaires")
DEFAULT_FOR_KIND = {"it": "helpdesk", "legal": "legal"}
QUESTION_TYPES = ("rating", "nps", "yes_no", "choice", "text")
MODES = ("confidential", "anonymous")
MEASURES = {"survey.csat": "rating", "survey.nps": "nps"}
SCALES = {"rating": (1, 5), "nps": (0, 10), "yes_no": (0, 1)}
RESERVED_FIELDS = frozenset({"csrf_token", "lang", "questionnaire"})
MAX_TEXT = 10_000
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TOP_FIELDS = {"key", "version", "mode", "languages", "title", "intro", "questions"}
_QUESTION_FIELDS = {"key", "type", "required", "measure", "text", "low", "high", "options", "max_length"}


@dataclass(frozen=True)
class Option:
    key: str
    label: dict[str, str]


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    required: bool
    text: dict[str, str]
    low: dict[str, str] | None = None
    high: dict[str, str] | None = None
    options: tuple[Option, ...] = ()
    max_length: int = 2000
    measure: str | None = None

    @property
    def scale(self) -> tuple[int, int] | None:
        """(lowest, highest) value of a rating, 0–10 or yes/no question; None otherwise."""
        return SCALES.get(self.type)

    @property
    def values(self) -> list[int]:
        low, high = self.scale or (0, -1)
        return list(range(low, high + 1))

    def option_keys(self) -> list[str]:
        return [o.key for o in self.options]


@dataclass(frozen=True)
class Questionnaire:
    key: str
    version: int
    mode: str
    languages: tuple[str, ...]
    title: dict[str, str]
    intro: dict[str, str]
    questions: tuple[Question, ...]

    @property
    def anonymous(self) -> bool:
        return self.mode == "anonymous"

    @property
    def ref(self) -> str:
        """``key@version``: names this version on forms and in messages."""
        return f"{self.key}@{self.version}"

    def question(self, key: str) -> Question:
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)

    def first_scale_question(self) -> Question | None:
        """The question a one-click rating from the email pre-fills (``?r=``)."""
        return next((q for q in self.questions if q.type in ("rating", "nps")), None)

    def measure_question(self, measure: str) -> Question | None:
        return next((q for q in self.questions if q.measure == measure), None)


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def bad(self, where: str, message: str, value: object = None) -> None:
        self.problems.append(Problem(message, source=self.source, column=where, value=value))

    def texts(self, raw: object, where: str, languages: tuple[str, ...], *, required: bool = True) -> dict[str, str]:
        if raw is None and not required:
            return {}
        if not isinstance(raw, dict):
            self.bad(where, "must be a table of texts by language, e.g. {en = \"…\", fr = \"…\"}", raw)
            return {}
        out: dict[str, str] = {}
        for lang, text in raw.items():
            if lang not in languages:
                self.bad(where, f"language {lang!r} is not in this questionnaire's languages", lang)
            elif not isinstance(text, str) or not text.strip():
                self.bad(f"{where}.{lang}", "must be a non-empty text", text)
            else:
                out[lang] = text.strip()
        for lang in languages:
            if lang not in raw:
                self.bad(where, f"the {lang!r} translation is missing")
        return out


def _question(c: _Checker, raw: object, i: int, languages: tuple[str, ...]) -> Question | None:
    where = f"questions[{i}]"
    if not isinstance(raw, dict):
        c.bad(where, "must be a table ([[questions]])", raw)
        return None
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key) or key in RESERVED_FIELDS:
        c.bad(f"{where}.key", "must be lower-case letters, digits and _ (starting with a letter), "
              "and not csrf_token, lang or questionnaire", key)
        key = f"question_{i}"
    else:
        where = f"questions.{key}"
    for unknown in sorted(set(raw) - _QUESTION_FIELDS):
        c.bad(f"{where}.{unknown}", "unknown field (allowed: " + ", ".join(sorted(_QUESTION_FIELDS)) + ")")
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        c.bad(f"{where}.type", f"must be one of {', '.join(QUESTION_TYPES)}", qtype)
        return None
    required = raw.get("required", qtype != "text")
    if not isinstance(required, bool):
        c.bad(f"{where}.required", "must be true or false", required)
        required = True
    measure = raw.get("measure")
    if measure is not None and MEASURES.get(measure) != qtype:
        allowed = ", ".join(f"{m} on a {t} question" for m, t in MEASURES.items())
        c.bad(f"{where}.measure", f"not a survey measure for a {qtype} question (allowed: {allowed})", measure)
        measure = None
    text = c.texts(raw.get("text"), f"{where}.text", languages)
    low = high = None
    if qtype in ("rating", "nps"):
        low = c.texts(raw.get("low"), f"{where}.low", languages)
        high = c.texts(raw.get("high"), f"{where}.high", languages)
    else:
        for field in ("low", "high"):
            if field in raw:
                c.bad(f"{where}.{field}", f"only rating and nps questions have {field} labels")
    options: list[Option] = []
    if qtype == "choice":
        raw_options = raw.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            c.bad(f"{where}.options", "a choice question needs at least two options ([[questions.options]])")
            raw_options = []
        seen: set[str] = set()
        for j, opt in enumerate(raw_options):
            okey = opt.get("key") if isinstance(opt, dict) else None
            if not isinstance(okey, str) or not _KEY.match(okey) or okey in seen:
                c.bad(f"{where}.options[{j}].key", "must be a unique key of lower-case letters, digits and _", okey)
                continue
            seen.add(okey)
            extra = sorted(set(opt) - {"key", "label"})
            if extra:
                c.bad(f"{where}.options.{okey}", f"unknown field {extra[0]!r} (allowed: key, label)")
            options.append(Option(okey, c.texts(opt.get("label"), f"{where}.options.{okey}.label", languages)))
    elif "options" in raw:
        c.bad(f"{where}.options", "only choice questions have options")
    max_length = raw.get("max_length", 2000)
    if qtype == "text":
        if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= MAX_TEXT:
            c.bad(f"{where}.max_length", f"must be a whole number from 1 to {MAX_TEXT:,}", max_length)
            max_length = 2000
    elif "max_length" in raw:
        c.bad(f"{where}.max_length", "only text questions have a max_length")
    return Question(key, qtype, required, text, low, high, tuple(options), max_length, measure)


def parse_questionnaire(text: str, *, source: str = "questionnaire") -> Questionnaire:
    """Parse and check a questionnaire definition; ``InvalidInput`` lists every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source}: not valid TOML: {exc}", []) from None
    c = _Checker(source)
    for unknown in sorted(set(raw) - _TOP_FIELDS):
        c.bad(unknown, "unknown field (allowed: " + ", ".join(sorted(_TOP_FIELDS)) + ")")
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        c.bad("key", "must be lower-case letters, digits and _, starting with a letter", key)
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        c.bad("version", "must be a whole number from 1 up", version)
    mode = raw.get("mode", "confidential")
    if mode not in MODES:
        c.bad("mode", f"must be one of {', '.join(MODES)}", mode)
    languages = raw.get("languages")
    if not isinstance(languages, list) or not languages or not all(isinstance(x, str) for x in languages):
        c.bad("languages", "must list the languages offered, the default first, e.g. [\"en\", \"fr\"]", languages)
        languages = ["en"]
    for lang in languages:
        if lang not in LANGUAGES:
            c.bad("languages", f"steerco has no form texts in {lang!r} (shipped: {', '.join(LANGUAGES)})", lang)
    if len(set(languages)) != len(languages):
        c.bad("languages", "a language is listed twice", languages)
    langs = tuple(languages)
    title = c.texts(raw.get("title"), "title", langs)
    intro = c.texts(raw.get("intro"), "intro", langs, required=False)
    raw_questions = raw.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        c.bad("questions", "a questionnaire needs at least one question ([[questions]])")
        raw_questions = []
    questions = [q for i, raw_q in enumerate(raw_questions) if (q := _question(c, raw_q, i, langs)) is not None]
    keys = [q.key for q in questions]
    for dup in sorted({k for k in keys if keys.count(k) > 1}):
        c.bad(f"questions.{dup}", "two questions have this key")
    for measure in MEASURES:
        if sum(q.measure == measure for q in questions) > 1:
            c.bad("questions", f"only one question may feed {measure}")
    if c.problems:
        raise InvalidInput(f"{source}: {len(c.problems)} problems in the questionnaire, nothing was loaded",
                           c.problems)
    return Questionnaire(key, version, mode, langs, title, intro, tuple(questions))


def shipped_sources() -> dict[str, str]:
    """The questionnaires that ship with steerco: key → TOML text."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(SHIPPED.glob("*.toml"))}
