"""Competence-review rubrics: the shipped ones, and mistakes located by line."""

from __future__ import annotations

import pytest

from scorecard.catalogue import CATALOGUE
from scorecard.errors import InvalidInput, NotFound
from scorecard.review import load_rubric
from scorecard.rubrics import SHIPPED, shipped_text

MINIMAL = """\
[rubric]
key = "mini"
version = 2
kind = "it"
title = "Minimal"

[[levels]]
level = 0
name = "Incomplete"
meaning = "missing"
{levels}
[[areas]]
key = "desk"
name = "Service desk"
question = "Is it good?"

[[areas.measures]]
measure = "sla.resolution_met"
params = {{ priority = "*" }}
"""
OTHER_LEVELS = "".join(f'\n[[levels]]\nlevel = {n}\nname = "L{n}"\nmeaning = "m{n}"\n' for n in range(1, 6))


def test_shipped_rubrics_cover_the_areas_of_the_issue():
    it = load_rubric(shipped_text("it")[1], source="it.toml")
    assert [a.key for a in it.areas] == ["service_desk", "problem_management", "availability", "capacity", "security",
                                         "licences_purchasing", "projects", "vendors", "reporting",
                                         "strategic_advice"]
    legal = load_rubric(shipped_text("legal")[1], source="legal.toml")
    assert [a.key for a in legal.areas] == ["turnaround", "accuracy", "responsiveness", "confidentiality",
                                            "supervision", "cost"]
    for rubric in (it, legal):
        assert [lv.level for lv in rubric.levels] == [0, 1, 2, 3, 4, 5]
        assert rubric.kind == rubric.key and rubric.version == 1 and len(rubric.fingerprint) == 64
        for area in rubric.areas:
            assert len(area.levels) == 6 and area.question.endswith("?")
            assert all(link.measure in CATALOGUE for link in area.measures)
    assert "quotes, purchase orders, invoices and licence receipts matched" in it.area("licences_purchasing").question
    assert "referral fees" in it.area("vendors").name and "independence" in it.area("strategic_advice").name
    assert "SOC 2 Type II" in " ".join(legal.area("confidentiality").look_for)
    assert set(SHIPPED) == {"it", "legal"}


def test_a_minimal_rubric_and_its_wildcard_link():
    rubric = load_rubric(MINIMAL.format(levels=OTHER_LEVELS), source="mini.toml")
    link = rubric.area("desk").measures[0]
    assert link.is_pattern and link.matches({"priority": "P2"}) and not link.matches({"category": "x"})
    assert not link.matches({})
    assert rubric.area("desk").level_meaning(rubric, 3) == "m3"  # no area wording: the rubric's
    with pytest.raises(NotFound, match="no area 'nope'"):
        rubric.area("nope")


def test_every_mistake_is_reported_with_its_line():
    text = MINIMAL.format(levels=OTHER_LEVELS.replace("level = 4", "level = 3")) + """
[[areas]]
key = "desk"
name = "Again"
question = "?"
levels = ["a", "b"]

[[areas.measures]]
measure = "sla.resolution_mett"

[[areas.measures]]
measure = "checks.pass_rate"
params = { service = "*" }
"""
    with pytest.raises(InvalidInput) as caught:
        load_rubric(text, source="bad.toml")
    message = str(caught.value)
    assert message.startswith("bad.toml: ") and "nothing was loaded" in message
    assert "level 3 is described twice" in message
    assert "area 'desk' is defined twice" in message
    assert "six meanings, for 0 to 5; got 2" in message
    assert "unknown measure 'sla.resolution_mett' (did you mean 'sla.resolution_met'?)" in message
    assert "checks.pass_rate takes no parameter 'service'" in message
    assert all(p.row is not None for p in caught.value.problems)


def test_syntax_errors_and_missing_tables():
    with pytest.raises(InvalidInput, match="not valid TOML"):
        load_rubric("[rubric\n", source="x.toml")
    with pytest.raises(InvalidInput, match="key 'levels' is required"):
        load_rubric('[rubric]\nkey = "x"\nversion = 1\nkind = "it"\ntitle = "t"\n[[areas]]\nkey="a"\nname="n"\n'
                    'question="q"\n', source="x.toml")
    with pytest.raises(InvalidInput, match="expected one of 'it', 'legal'"):
        load_rubric(MINIMAL.format(levels=OTHER_LEVELS).replace('kind = "it"', 'kind = "hr"'), source="x.toml")
