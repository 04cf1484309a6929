"""compare_scorecards: what a new scorecard version adds, removes and changes, in words."""

from __future__ import annotations

from importlib import resources

import pytest

from scorecard.compare import (
    ADDED,
    CHANGED,
    REMOVED,
    Change,
    FieldChange,
    compare_scorecards,
)
from scorecard.definition import load_scorecard

BASE = """\
[provider]
name = "Acme"
kind = "it"
timezone = "Europe/London"
currency = "GBP"
monthly_fee = 40000

[calendars.office]
timezone = "Europe/London"
hours = ["09:00", "17:00"]

[sla.policies.P1]
priorities = ["P1"]
response = "15m"
resolution = "4h"
calendar = "24x7"

[services]
Email = { calendar = "24x7", target = "99.9%" }

[credits]
cap_percent = 15

[[credits.rules]]
measure = "sla.resolution_met"
params = { priority = "P1" }
label = "P1 resolution"
tiers = [{ below = "90%", percent = 5 }]

[[perspectives]]
name = "Users"

[[perspectives.objectives]]
name = "Fast fixes"

[[perspectives.objectives.measures]]
measure = "sla.resolution_met"
params = { priority = "P1" }
label = "P1 fixed in time"
goal = "95%"
red_flag = "90%"

[[perspectives.objectives.measures]]
measure = "tickets.backlog_aged"
label = "Old tickets"
goal = 5
red_flag = 15

[[perspectives.objectives]]
name = "Available services"

[[perspectives.objectives.measures]]
measure = "availability.service"
params = { service = "Email" }
label = "Email up"
goal = "99.5%"
red_flag = "99%"
"""
OLD_TICKETS = ('[[perspectives.objectives.measures]]\nmeasure = "tickets.backlog_aged"\nlabel = "Old tickets"\n'
               'goal = 5\nred_flag = 15\n')


def card(text: str = BASE):
    return load_scorecard(text, source="acme.toml")


def changed(text: str, *edits: tuple[str, str]) -> str:
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_the_same_text_has_no_difference():
    comparison = compare_scorecards(card(), card())
    assert not comparison and comparison.changes == ()
    assert comparison.summary() == "no difference in what the scorecard defines"


def test_comments_and_layout_alone_make_no_difference():
    reformatted = "# version 2, same targets\n" + BASE.replace('goal = "95%"', 'goal = 0.95   # as a fraction')
    assert not compare_scorecards(card(), card(reformatted))


def test_changed_targets_weight_direction_and_stretch_of_a_measure():
    new = changed(BASE, ('goal = "95%"\nred_flag = "90%"',
                         'goal = "97%"\nred_flag = "92%"\nstretch = "99%"\nweight = 2'),
                  ("goal = 5\nred_flag = 15", "goal = 4\nred_flag = 15\ndirection = \"lower\""))
    comparison = compare_scorecards(card(), card(new))
    assert comparison.of("measure") == [
        Change("measure", CHANGED, "P1 fixed in time", "Users › Fast fixes", (
            FieldChange("goal", "95 %", "97 %"), FieldChange("red flag", "90 %", "92 %"),
            FieldChange("stretch", "none", "99 %"), FieldChange("weight", "1", "2"))),
        Change("measure", CHANGED, "Old tickets", "Users › Fast fixes", (
            FieldChange("goal", "5 tickets", "4 tickets"),)),
    ]
    assert [c.what for c in comparison.changes] == ["measure", "measure"]
    assert comparison.lines()[0] == ("Changed measure 'P1 fixed in time' in Users › Fast fixes: goal 95 % → 97 %; "
                                     "red flag 90 % → 92 %; stretch none → 99 %; weight 1 → 2")


def test_a_direction_against_the_catalogue_is_a_change():
    new = changed(BASE, ("goal = 5\nred_flag = 15", 'goal = 15\nred_flag = 5\ndirection = "higher"'))
    (change,) = compare_scorecards(card(), card(new)).of("measure")
    assert change.fields == (FieldChange("goal", "5 tickets", "15 tickets"),
                             FieldChange("red flag", "15 tickets", "5 tickets"),
                             FieldChange("direction", "lower is better", "higher is better"))


def test_added_and_removed_measures_with_their_targets():
    new = changed(BASE, (OLD_TICKETS,
                         ('[[perspectives.objectives.measures]]\nmeasure = "quality.reopen_rate"\n'
                         'goal = "5%"\nred_flag = "8%"\nstretch = "3%"\nweight = 2\n')))
    comparison = compare_scorecards(card(), card(new))
    assert comparison.of("measure") == [
        Change("measure", REMOVED, "Old tickets", "Users › Fast fixes", (
            FieldChange("goal", "5 tickets", None), FieldChange("red flag", "15 tickets", None),
            FieldChange("weight", "1", None))),
        Change("measure", ADDED, "Reopen rate", "Users › Fast fixes", (
            FieldChange("goal", None, "5 %"), FieldChange("red flag", None, "8 %"),
            FieldChange("stretch", None, "3 %"), FieldChange("weight", None, "2"))),
    ]
    assert comparison.counts() == {"measure": {ADDED: 1, REMOVED: 1, CHANGED: 0}}
    assert comparison.summary() == "1 measure added, 1 measure removed"


def test_new_parameters_of_the_same_measure_in_the_same_objective_are_one_change():
    new = changed(BASE, ('Email = { calendar = "24x7", target = "99.9%" }',
                         'Email = { calendar = "24x7", target = "99.9%" }\nVPN = { calendar = "office" }'),
                  ('params = { service = "Email" }\nlabel = "Email up"',
                   'params = { service = "VPN" }\nlabel = "VPN up"'))
    comparison = compare_scorecards(card(), card(new))
    assert comparison.of("measure") == [Change("measure", CHANGED, "VPN up", "Users › Available services", (
        FieldChange("parameters", "service = Email", "service = VPN"), FieldChange("label", "Email up", "VPN up")))]
    assert comparison.of("service") == [Change("service", ADDED, "VPN", fields=(
        FieldChange("calendar", None, "office"), FieldChange("target", None, "none")))]


def test_a_measure_moved_to_another_objective_says_where_from_and_to():
    new = changed(BASE, (OLD_TICKETS + "\n", ""),
                  ('label = "Email up"\ngoal = "99.5%"\nred_flag = "99%"\n',
                   ('label = "Email up"\ngoal = "99.5%"\nred_flag = "99%"\n\n[[perspectives.objectives.measures]]\n'
                   'measure = "tickets.backlog_aged"\nlabel = "Old tickets"\ngoal = 5\nred_flag = 15\n')))
    (change,) = compare_scorecards(card(), card(new)).of("measure")
    assert change == Change("measure", CHANGED, "Old tickets", "Users › Available services", (
        FieldChange("place", "Users › Fast fixes", "Users › Available services"),))


def test_objectives_and_perspectives_added_removed_and_reweighted():
    new = changed(BASE, ('[[perspectives]]\nname = "Users"\n', '[[perspectives]]\nname = "Users"\nweight = 3\n'),
                  ('name = "Available services"', 'name = "Services up"\nweight = 2'))
    new += ('\n[[perspectives]]\nname = "Money"\n\n[[perspectives.objectives]]\nname = "On budget"\n\n'
            '[[perspectives.objectives.measures]]\nmeasure = "cost.budget_burn"\ngoal = "100%"\nred_flag = "105%"\n')
    comparison = compare_scorecards(card(), card(new))
    assert comparison.of("perspective") == [
        Change("perspective", CHANGED, "Users", fields=(FieldChange("weight", "1", "3"),)),
        Change("perspective", ADDED, "Money", fields=(FieldChange("weight", None, "1"),
                                                      FieldChange("objectives", None, "1"))),
    ]
    assert comparison.of("objective") == [
        Change("objective", REMOVED, "Available services", "Users", (FieldChange("weight", "1", None),
                                                                      FieldChange("measures", "1", None))),
        Change("objective", ADDED, "Services up", "Users", (FieldChange("weight", None, "2"),
                                                            FieldChange("measures", None, "1"))),
        Change("objective", ADDED, "On budget", "Money", (FieldChange("weight", None, "1"),
                                                          FieldChange("measures", None, "1"))),
    ]
    moved, added = comparison.of("measure")
    assert moved.name == "Email up" and moved.fields == (
        FieldChange("place", "Users › Available services", "Users › Services up"),)
    assert (added.kind, added.name, added.where) == (ADDED, "Budget burn (year to date)", "Money › On budget")
    assert added.fields == (FieldChange("goal", None, "100 %"), FieldChange("red flag", None, "105 %"),
                            FieldChange("weight", None, "1"))


def test_credit_rules_and_the_cap():
    new = changed(BASE, ("cap_percent = 15", "cap_percent = 10"),
                  ('tiers = [{ below = "90%", percent = 5 }]', ('tiers = [{ below = "90%", percent = 5 }, '
                                                               '{ below = "80%", percent = 10 }]')))
    new = new.replace("[[perspectives]]", '[[credits.rules]]\nmeasure = "availability.service"\n'
                                          'params = { service = "Email" }\nlabel = "Email"\n'
                                          'tiers = [{ below = "99%", percent = 5 }]\n\n[[perspectives]]', 1)
    comparison = compare_scorecards(card(), card(new))
    assert comparison.of("setting") == [Change("setting", CHANGED, "credits.cap_percent", fields=(
        FieldChange("value", "15 % of the monthly fee", "10 % of the monthly fee"),))]
    assert comparison.of("credit rule") == [
        Change("credit rule", CHANGED, "sla.resolution_met (priority = P1)", fields=(
            FieldChange("tiers", "below 90 %: 5 %", "below 90 %: 5 %; below 80 %: 10 %"),)),
        Change("credit rule", ADDED, "availability.service (service = Email)", fields=(
            FieldChange("label", None, "Email"), FieldChange("tiers", None, "below 99 %: 5 %"))),
    ]
    without = changed(BASE, (('[[credits.rules]]\nmeasure = "sla.resolution_met"\nparams = { priority = "P1" }\n'
                             'label = "P1 resolution"\ntiers = [{ below = "90%", percent = 5 }]\n'), ""))
    (gone,) = compare_scorecards(card(), card(without)).of("credit rule")
    assert gone.kind == REMOVED and gone.text() == ("Removed credit rule 'sla.resolution_met (priority = P1)': "
                                                    "label was P1 resolution; tiers was below 90 %: 5 %")


def test_calendar_hours_holidays_policies_and_provider_settings():
    new = changed(BASE, ('hours = ["09:00", "17:00"]', 'hours = ["08:00", "18:00"]\nholidays = ["2026-12-25"]'),
                  ('resolution = "4h"', 'resolution = "6h"'), ("monthly_fee = 40000", "monthly_fee = 45000.5"))
    new = new.replace("[sla.policies.P1]", '[calendars.weekend]\ntimezone = "Europe/London"\ndays = ["sat", "sun"]\n'
                                           'hours = ["10:00", "14:00"]\n\n[sla.policies.P1]', 1)
    comparison = compare_scorecards(card(), card(new))
    assert comparison.of("setting") == [Change("setting", CHANGED, "provider.monthly_fee", fields=(
        FieldChange("value", "£40,000", "£45,000.50"),))]
    assert comparison.of("calendar") == [
        Change("calendar", CHANGED, "office", fields=(
            FieldChange("hours", "mon, tue, wed, thu, fri 09:00–17:00 Europe/London",
                        "mon, tue, wed, thu, fri 08:00–18:00 Europe/London"),
            FieldChange("holidays", "0 holidays", "1 holiday (added 2026-12-25)"))),
        Change("calendar", ADDED, "weekend", fields=(
            FieldChange("hours", None, "sat, sun 10:00–14:00 Europe/London"),)),
    ]
    assert comparison.of("SLA policy") == [Change("SLA policy", CHANGED, "P1", fields=(
        FieldChange("resolution", "4h", "6h"),))]


def test_a_holiday_removed_is_named():
    old = changed(BASE, ('hours = ["09:00", "17:00"]', ('hours = ["09:00", "17:00"]\n'
                                                       'holidays = ["2026-12-25", "2026-12-28"]')))
    new = changed(BASE, ('hours = ["09:00", "17:00"]', 'hours = ["09:00", "17:00"]\nholidays = ["2026-12-25"]'))
    (change,) = compare_scorecards(card(old), card(new)).of("calendar")
    assert change.fields == (FieldChange("holidays", "2 holidays", "1 holiday (removed 2026-12-28)"),)


def test_the_shipped_examples_differ_in_every_section():
    def example(name: str):
        text = resources.files("scorecard.examples").joinpath(name).read_text(encoding="utf-8")
        return load_scorecard(text, source=name)

    it, legal = example("it_managed_services.toml"), example("legal_outsourcing.toml")
    comparison = compare_scorecards(it, legal)
    assert set(comparison.counts()) == {"setting", "calendar", "SLA policy", "service", "credit rule",
                                        "perspective", "objective", "measure"}
    assert not compare_scorecards(legal, legal)
    assert comparison.summary().startswith("9 settings changed; 1 calendar added, 1 calendar removed; "
                                           "4 SLA policies added, 4 SLA policies removed; 6 services removed; ")
    back = compare_scorecards(legal, it)
    # the comparison is symmetric: what one adds the other removes
    assert back.counts()["measure"][ADDED] == comparison.counts()["measure"][REMOVED]
    assert back.counts()["measure"][REMOVED] == comparison.counts()["measure"][ADDED]


@pytest.mark.parametrize("field, text", [
    (FieldChange("goal", "95 %", "97 %"), "goal 95 % → 97 %"),
    (FieldChange("goal", None, "97 %"), "goal 97 %"),
    (FieldChange("goal", "95 %", None), "goal was 95 %"),
])
def test_field_texts(field, text):
    assert field.text() == text
