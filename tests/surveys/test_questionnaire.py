"""Questionnaire definitions, the form's words in each language, and the choice of language."""

from __future__ import annotations

import pytest

from scorecard.errors import InvalidInput
from surveys.i18n import LANGUAGES, MESSAGES, choose_language, parse_accept_language
from surveys.questionnaire import parse_questionnaire, shipped_sources

MINIMAL = """
key = "mini"
version = 1
languages = ["en", "fr"]
title = {en = "Quick question", fr = "Question rapide"}

[[questions]]
key = "overall"
type = "rating"
measure = "survey.csat"
text = {en = "How was it?", fr = "C'était comment ?"}
low = {en = "Bad", fr = "Mauvais"}
high = {en = "Good", fr = "Bon"}
"""


def test_shipped_questionnaires_are_complete_in_four_languages():
    sources = shipped_sources()
    assert set(sources) == {"helpdesk", "legal"}
    helpdesk = parse_questionnaire(sources["helpdesk"], source="helpdesk.toml")
    legal = parse_questionnaire(sources["legal"], source="legal.toml")
    for q in (helpdesk, legal):
        assert q.languages == ("en", "fr", "de", "es")
        assert q.measure_question("survey.csat").type == "rating"
        assert q.measure_question("survey.nps").type == "nps"
        for question in q.questions:
            assert set(question.text) == set(q.languages), question.key
    assert [(x.key, x.type, x.required) for x in helpdesk.questions] == [
        ("satisfaction", "rating", True), ("outcome", "rating", False), ("speed", "rating", False),
        ("staff", "rating", False), ("resolved", "yes_no", True), ("recommend", "nps", True),
        ("comment", "text", False)]
    assert helpdesk.mode == "confidential" and legal.mode == "anonymous"
    assert legal.question("mattered_most").option_keys() == ["speed", "accuracy", "clear_advice", "responsiveness"]
    assert helpdesk.first_scale_question().key == "satisfaction"
    assert helpdesk.question("recommend").values == list(range(11))


def test_minimal_questionnaire_and_defaults():
    q = parse_questionnaire(MINIMAL)
    assert q.ref == "mini@1" and q.mode == "confidential" and q.intro == {}
    overall = q.question("overall")
    assert overall.required and overall.scale == (1, 5) and overall.low == {"en": "Bad", "fr": "Mauvais"}


@pytest.mark.parametrize("change, where, says", [
    (("version = 1", "version = 0"), "'version'", "whole number from 1 up"),
    (('type = "rating"', 'type = "stars"'), "questions.overall.type", "must be one of rating, nps"),
    (('high = {en = "Good", fr = "Bon"}', 'high = {en = "Good"}'), "questions.overall.high", "the 'fr' translation is missing"),
    (('languages = ["en", "fr"]', 'languages = ["en", "fr", "it"]'), "'languages'", "no form texts in 'it'"),
    (('measure = "survey.csat"', 'measure = "survey.nps"'), "questions.overall.measure", "not a survey measure"),
    (('key = "overall"', 'key = "csrf_token"'), "questions[0].key", "lower-case letters"),
    (('type = "rating"', 'type = "rating"\ncolour = "red"'), "questions.overall.colour", "unknown field"),
    (('key = "mini"', 'key = "mini"\nfooter = "x"'), "'footer'", "unknown field"),
])
def test_bad_definitions_name_the_field(change, where, says):
    text = MINIMAL.replace(*change)
    with pytest.raises(InvalidInput) as info:
        parse_questionnaire(text, source="mine.toml")
    message = str(info.value)
    assert "mine.toml" in message and where in message and says in message, message


def test_choice_text_and_duplicates():
    text = MINIMAL + """
[[questions]]
key = "pick"
type = "choice"
text = {en = "Pick", fr = "Choisir"}
options = [{key = "a", label = {en = "A", fr = "A"}}]

[[questions]]
key = "overall"
type = "text"
max_length = 0
text = {en = "Why?", fr = "Pourquoi ?"}
"""
    with pytest.raises(InvalidInput) as info:
        parse_questionnaire(text, source="q.toml")
    problems = [str(p) for p in info.value.problems]
    assert any("at least two options" in p for p in problems)
    assert any("max_length" in p and "from 1 to 10,000" in p for p in problems)
    assert any("two questions have this key" in p for p in problems)


def test_not_toml_is_one_clear_error():
    with pytest.raises(InvalidInput, match="q.toml: not valid TOML"):
        parse_questionnaire("key = ", source="q.toml")


def test_every_language_has_every_message():
    keys = set(MESSAGES["en"])
    for lang in LANGUAGES:
        assert set(MESSAGES[lang]) == keys, lang


@pytest.mark.parametrize("header, expected", [
    ("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", ["fr-ch", "fr", "en", "de", "*"]),
    ("de;q=0.2,es", ["es", "de"]),
    ("en;q=0, it", ["it"]),
    ("garbage;;;, <script>, toolongtoken", ["garbage"]),
    (None, []),
])
def test_accept_language_parsing(header, expected):
    assert parse_accept_language(header) == expected


@pytest.mark.parametrize("kwargs, expected", [
    ({"accept_language": "de-AT,de;q=0.9,en;q=0.5"}, "de"),
    ({"accept_language": "it-IT, es;q=0.5"}, "es"),
    ({"accept_language": "it-IT"}, "en"),
    ({"accept_language": "de", "invitation": "fr"}, "fr"),
    ({"accept_language": "de", "invitation": "fr", "chosen": "es"}, "es"),
    ({"chosen": "xx", "invitation": "pt", "accept_language": "*"}, "en"),
])
def test_language_choice(kwargs, expected):
    assert choose_language(("en", "fr", "de", "es"), **kwargs) == expected
