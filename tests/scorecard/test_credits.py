"""Service credits: tiers, the cap, the arithmetic as text, and every mistake in the rules."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard.credits import CreditRules, compute_credits
from scorecard.definition import load_scorecard
from scorecard.errors import BadInput, InvalidInput
from scorecard.scoring import ResultValue, score_scorecard

HEAD = """\
[provider]
name = "Acme"
kind = "it"
timezone = "Europe/London"
currency = "GBP"
monthly_fee = 40000

[sla.policies.all]
resolution = "4h"
calendar = "24x7"

[services]
Email = {}

[[perspectives]]
name = "Users"

[[perspectives.objectives]]
name = "Fast fixes"

[[perspectives.objectives.measures]]
measure = "sla.resolution_met"
params = { priority = "P1" }
goal = "95%"
red_flag = "90%"
"""
# HEAD is 25 lines; CREDITS starts at line 26.
CREDITS = """
[credits]
cap_percent = 15

[[credits.rules]]
measure = "sla.resolution_met"
params = { priority = "P1" }
label = "P1 resolution"
tiers = [{ below = "95%", percent = 5 }, { below = "90%", percent = 10 }]

[[credits.rules]]
measure = "sla.resolution_met"
params = { priority = "P2" }
label = "P2 resolution"
tiers = [{ below = 0.95, percent = 5 }, { below = 0.90, percent = 10 }]

[[credits.rules]]
measure = "availability.service"
params = { service = "Email" }
tiers = [{ below = "99.9%", percent = "5%" }, { below = "99%", percent = 10 }]

[[credits.rules]]
measure = "quality.reopen_rate"
tiers = [{ above = "10%", percent = 2.5 }]
"""
P1 = ("sla.resolution_met", '{"priority":"P1"}')
P2 = ("sla.resolution_met", '{"priority":"P2"}')
EMAIL = ("availability.service", '{"service":"Email"}')
REOPEN = ("quality.reopen_rate", "{}")


def example_text(name: str) -> str:
    """A shipped example scorecard (package data; the scorecard package itself does no I/O)."""
    return resources.files("scorecard.examples").joinpath(name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def card():
    return load_scorecard(HEAD + CREDITS, source="acme.toml")


def credits(card, results, month="2026-05"):
    return compute_credits(card.credits, results, monthly_fee=card.provider.monthly_fee,
                           currency=card.provider.currency, month=month)


def test_rules_are_read_mildest_tier_first(card):
    rules = card.credits.rules
    assert card.credits.cap_percent == Decimal(15)
    assert [r.label for r in rules] == ["P1 resolution", "P2 resolution", "Service availability (Email)", "Reopen rate"]
    assert [(t.threshold, t.percent) for t in rules[0].tiers] == [(0.95, Decimal(5)), (0.90, Decimal(10))]
    assert [(t.threshold, t.percent) for t in rules[2].tiers] == [(0.999, Decimal(5)), (0.99, Decimal(10))]
    assert (rules[3].side, rules[3].tiers[0].percent) == ("above", Decimal("2.5"))
    assert rules[0].side == "below" and rules[0].line == 30
    assert rules[0].key == P1


def test_tiers_and_the_cap_with_the_arithmetic_shown(card):
    s = credits(card, {P1: ResultValue(0.88), P2: ResultValue(0.93), EMAIL: ResultValue(0.97),
                       REOPEN: ResultValue(0.04)})
    assert [line.text for line in s.lines] == [
        "P1 resolution 88.0 % is below 90 %: 10 % of £40,000 = £4,000",
        "P2 resolution 93.0 % is below 95 %: 5 % of £40,000 = £2,000",
        "Service availability (Email) 97.0 % is below 99 %: 10 % of £40,000 = £4,000",
        "Reopen rate 4.0 % is not above 10 %: no credit",
    ]
    assert [line.amount for line in s.lines] == [Decimal(4000), Decimal(2000), Decimal(4000), Decimal(0)]
    assert s.subtotal == Decimal(10000)
    assert (s.cap_amount, s.total, s.capped) == (Decimal(6000), Decimal(6000), True)
    assert s.text == "Total £10,000 is capped at 15 % of £40,000 = £6,000"
    assert s.month == "2026-05" and not s.provisional


def test_below_the_cap(card):
    s = credits(card, {P1: ResultValue(0.93), P2: ResultValue(0.96), EMAIL: ResultValue(0.9995),
                       REOPEN: ResultValue(0.12)})
    assert [line.text for line in s.lines] == [
        "P1 resolution 93.0 % is below 95 %: 5 % of £40,000 = £2,000",
        "P2 resolution 96.0 % is not below 95 %: no credit",
        "Service availability (Email) 99.95 % is not below 99.9 %: no credit",
        "Reopen rate 12.0 % is above 10 %: 2.5 % of £40,000 = £1,000",
    ]
    assert (s.subtotal, s.total, s.capped) == (Decimal(3000), Decimal(3000), False)
    assert s.text == "Total £3,000 (cap 15 % of £40,000 = £6,000 not reached)"


def test_a_value_at_a_threshold_earns_no_credit_from_it(card):
    s = credits(card, {P1: ResultValue(0.95), P2: ResultValue(0.90), EMAIL: ResultValue(0.99),
                       REOPEN: ResultValue(0.10)})
    assert [line.amount for line in s.lines] == [Decimal(0), Decimal(2000), Decimal(2000), Decimal(0)]
    assert s.lines[0].text == "P1 resolution 95.0 % is not below 95 %: no credit"
    assert s.lines[1].text == "P2 resolution 90.0 % is below 95 %: 5 % of £40,000 = £2,000"


def test_missing_and_provisional_results(card):
    s = credits(card, {P1: ResultValue(0.85, provisional=True), P2: ResultValue(None)})
    assert [line.text for line in s.lines] == [
        "P1 resolution 85.0 % is below 90 %: 10 % of £40,000 = £4,000 (provisional)",
        "P2 resolution: no result this month, no credit",
        "Service availability (Email): no result this month, no credit",
        "Reopen rate: no result this month, no credit",
    ]
    assert s.provisional and s.lines[0].provisional and not s.lines[1].provisional
    assert s.text == "Total £4,000 (cap 15 % of £40,000 = £6,000 not reached) (provisional)"


def test_pence_are_rounded_half_up_and_currencies_shown():
    text = HEAD.replace("monthly_fee = 40000", "monthly_fee = 12345.67").replace('currency = "GBP"',
                                                                                  'currency = "CHF"')
    text += '\n[[credits.rules]]\nmeasure = "sla.resolution_met"\nparams = { priority = "P1" }\n' \
            'tiers = [{ below = "95%", percent = 2.5 }]\n'
    c = load_scorecard(text.replace("[[credits.rules]]", "[credits]\n[[credits.rules]]"), source="chf.toml")
    s = credits(c, {P1: ResultValue(0.9)})
    assert s.lines[0].amount == Decimal("308.64")  # 308.64175
    assert s.lines[0].text == "Resolution SLA met (P1) 90.0 % is below 95 %: 2.5 % of CHF 12,345.67 = CHF 308.64"
    assert (s.cap_percent, s.cap_amount, s.total) == (None, None, Decimal("308.64"))
    assert s.text == "Total CHF 308.64"


def test_no_rules_and_no_fee():
    assert compute_credits(CreditRules(), {}, monthly_fee=None, currency="GBP").text == "No service-credit rules"
    card = load_scorecard(HEAD + CREDITS, source="acme.toml")
    with pytest.raises(BadInput, match="need the monthly fee"):
        compute_credits(card.credits, {}, monthly_fee=None, currency="GBP")


def test_the_scored_scorecard_carries_the_credits(card):
    s = score_scorecard(card, {P1: ResultValue(0.88)}, month="2026-05")
    assert s.credits.total == Decimal(4000)
    d = s.to_dict()["credits"]
    assert d["total"] == 4000.0 and d["currency"] == "GBP" and d["monthly_fee"] == 40000.0
    assert d["lines"][0] == {"label": "P1 resolution", "measure": "sla.resolution_met", "params": {"priority": "P1"},
                             "value": 0.88, "provisional": False, "threshold": 0.9, "side": "below",
                             "percent": 10.0, "amount": 4000.0,
                             "text": "P1 resolution 88.0 % is below 90 %: 10 % of £40,000 = £4,000"}
    assert set(d) == {"month", "currency", "monthly_fee", "lines", "subtotal", "cap_percent", "cap_amount",
                      "total", "capped", "provisional", "text"}


def test_example_credits_in_the_demo_events():
    card = load_scorecard(example_text("it_managed_services.toml"), source="it")
    # 2026-05: P2 resolution ~44 % (p2_resolution_slower) and the Email major outage 98.99 %
    results = {("sla.resolution_met", '{"priority":"P1"}'): ResultValue(0.778),
               ("sla.resolution_met", '{"priority":"P2"}'): ResultValue(0.441),
               ("availability.service", '{"service":"Email"}'): ResultValue(1 - 450 / 44640)}
    s = credits(card, results)
    assert [line.text for line in s.lines] == [
        "P1 resolution 77.8 % is not below 70 %: no credit",
        "P2 resolution 44.1 % is below 70 %: 10 % of £180,000 = £18,000",
        "Email availability 98.99 % is below 99 %: 10 % of £180,000 = £18,000",
    ]
    assert s.text == "Total £36,000 is capped at 15 % of £180,000 = £27,000"


# ---------------------------------------------------------------------- mistakes in the rules

def problems(text: str) -> list[str]:
    with pytest.raises(InvalidInput) as err:
        load_scorecard(text, source="acme.toml")
    return [str(p) for p in err.value.problems]


def rule(body: str) -> str:
    """HEAD plus [credits] and one rule whose header is line 28."""
    return HEAD + "\n[credits]\n[[credits.rules]]\n" + body


R = "credits.rules[0]"


@pytest.mark.parametrize(("body", "expected"), [
    ('measure = "sla.resolution_met"\n',
     [f"acme.toml, row 28, column '{R}.tiers': key 'tiers' is required"]),
    ('tiers = [{ below = "95%", percent = 5 }]\n',
     [f"acme.toml, row 28, column '{R}.measure': key 'measure' is required"]),
    ('measure = "sla.resolved"\ntiers = [{ below = "95%", percent = 5 }]\n',
     [f"acme.toml, row 29, column '{R}.measure': unknown measure 'sla.resolved' (did you mean 'tickets.resolved'?)"]),
    ('measure = "sla.resolution_met"\nparams = { service = "Email" }\ntiers = [{ below = "95%", percent = 5 }]\n',
     [f"acme.toml, row 30, column '{R}.params.service': sla.resolution_met takes no parameter 'service' "
      "(allowed: priority, category)"]),
    ('measure = "sla.resolution_met"\ntiers = []\n',
     [f"acme.toml, row 30, column '{R}.tiers': expected a list of tiers such as [{{ below = \"95%\", percent = 5 }}]"]),
    ('measure = "sla.resolution_met"\ntiers = [{ below = "95%", above = "99%", percent = 5 }]\n',
     [f"acme.toml, row 30, column '{R}.tiers[0]': give exactly one of 'below' or 'above'"]),
    ('measure = "sla.resolution_met"\ntiers = [{ above = "95%", percent = 5 }]\n',
     [f"acme.toml, row 30, column '{R}.tiers[0].above': sla.resolution_met is better higher, so a credit "
      "applies below a threshold: use 'below'"]),
    ('measure = "quality.reopen_rate"\ntiers = [{ below = "5%", percent = 5 }]\n',
     [f"acme.toml, row 30, column '{R}.tiers[0].below': quality.reopen_rate is better lower, so a credit "
      "applies above a threshold: use 'above'"]),
    ('measure = "sla.resolution_met"\ntiers = [{ below = 95, percent = 5 }]\n',
     [f"acme.toml, row 30, column '{R}.tiers[0].below': sla.resolution_met is a proportion between 0 and 1 "
      "(write 0.95 or \"95%\"), got 95 — did you mean \"95%\"?"]),
    ('measure = "sla.resolution_met"\ntiers = [{ below = "95%", percent = 0 }]\n',
     [f"acme.toml, row 30, column '{R}.tiers[0].percent': a percentage of the monthly fee must be more than 0 "
      "and at most 100, got 0"]),
    ('measure = "sla.resolution_met"\ntiers = [{ below = "95%", percent = "150%" }]\n',
     [f"acme.toml, row 30, column '{R}.tiers[0].percent': a percentage of the monthly fee must be more than 0 "
      "and at most 100, got '150%'"]),
    ('measure = "sla.resolution_met"\ntiers = [{ below = "95%" }]\n',
     [f"acme.toml, row 30, column '{R}.tiers[0].percent': key 'percent' is required"]),
    ('measure = "sla.resolution_met"\ntiers = [{ below = "95%", percent = 5, cap = 1 }]\n',
     [f"acme.toml, row 30, column '{R}.tiers[0].cap': unknown key 'cap' (known: below, above, percent)"]),
    ('measure = "sla.resolution_met"\ntiers = [\n  { below = "90%", percent = 5 },\n  { below = "95%", percent = 10 },\n]\n',
     [f"acme.toml, row 31, column '{R}.tiers[0]': a worse value must give a larger credit: below 90 % gives "
      "5 %, below 95 % gives 10 %"]),
    ('measure = "sla.resolution_met"\ntiers = [{ below = "95%", percent = 5 }, { below = 0.95, percent = 10 }]\n',
     [f"acme.toml, row 30, column '{R}.tiers[1]': two tiers have the same threshold 95 %"]),
    ('measure = "sla.resolution_met"\nlabel = 3\ntiers = [{ below = "95%", percent = 5 }]\n',
     [f"acme.toml, row 30, column '{R}.label': expected text, got a number"]),
    ('measure = "sla.resolution_met"\ntiers = [{ below = "95%", percent = 5 }]\nlimit = 3\n',
     [f"acme.toml, row 31, column '{R}.limit': unknown key 'limit' (known: measure, params, label, tiers)"]),
])
def test_rule_mistakes_name_file_line_and_key(body, expected):
    assert problems(rule(body)) == expected


def test_a_rule_given_twice_and_a_bad_cap():
    text = HEAD + """
[credits]
cap_percent = -1

[[credits.rules]]
measure = "sla.resolution_met"
params = { priority = "P1" }
tiers = [{ below = "95%", percent = 5 }]

[[credits.rules]]
measure = "sla.resolution_met"
params = { priority = "P1" }
tiers = [{ below = "90%", percent = 5 }]
"""
    assert problems(text) == [
        "acme.toml, row 28, column 'credits.cap_percent': a percentage of the monthly fee must be more than 0 "
        "and at most 100, got -1",
        "acme.toml, row 36, column 'credits.rules[1].measure': a credit rule for sla.resolution_met "
        "{\"priority\":\"P1\"} is already given at line 30",
    ]


def test_credits_need_the_monthly_fee():
    text = rule('measure = "sla.resolution_met"\ntiers = [{ below = "95%", percent = 5 }]\n')
    assert problems(text.replace("monthly_fee = 40000\n", "\n")) == [
        "acme.toml, row 27, column 'credits': service credits need the monthly fee: set monthly_fee in [provider]"]


def test_rules_must_be_an_array_of_tables():
    assert problems(HEAD + "\n[credits]\nrules = 3\n") == [
        "acme.toml, row 28, column 'credits.rules': expected an array of tables ([[credits.rules]]), got a number"]
    assert problems(HEAD + "\n[credits]\nrules = [3]\n") == [
        "acme.toml, row 28, column 'credits.rules[0]': expected a table, got a number"]


# ---------------------------------------------------------------------- properties

@given(p1=st.floats(0, 1), p2=st.floats(0, 1), email=st.floats(0, 1), reopen=st.floats(0, 1))
def test_total_is_the_subtotal_up_to_the_cap(p1, p2, email, reopen):
    card = load_scorecard(HEAD + CREDITS, source="acme.toml")
    s = credits(card, {P1: ResultValue(p1), P2: ResultValue(p2), EMAIL: ResultValue(email),
                       REOPEN: ResultValue(reopen)})
    assert s.subtotal == sum(line.amount for line in s.lines)
    assert s.total == min(s.subtotal, Decimal(6000)) and s.capped == (s.subtotal > Decimal(6000))


@given(a=st.floats(0, 1), b=st.floats(0, 1))
def test_a_worse_value_never_earns_a_smaller_credit(a, b):
    card = load_scorecard(HEAD + CREDITS, source="acme.toml")
    worse, better = min(a, b), max(a, b)
    assert credits(card, {P1: ResultValue(worse)}).total >= credits(card, {P1: ResultValue(better)}).total
