"""The measures of docs/measures.md computed a second, independent way: plain SQL in DuckDB.

Used by tests/pipelines/test_measures_duckdb.py (and the benchmark) to check
``pipelines.measures.compute_all``. Written from the definitions, not from the Polars code:
months come from DuckDB's own time-zone rules, the backlog is a join of tickets with month
ends, the repeat rate an ``EXISTS`` subquery, availability a "layer cake" of unions of
intervals (gaps and islands) per impact level with business time summed over the calendar's
daily windows, Theil–Sen a median over a self-join. Only the SLA clocks' per-ticket
deadlines and business hours come from ``scorecard.calendars`` (tested on their own); their
attribution to months, grouping and quantiles are SQL.

Every query returns the columns of ``OUT``; :func:`sql_measures` concatenates them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import duckdb
import numpy as np
import polars as pl

from scorecard.calendars import BusinessCalendar, deadlines, elapsed_seconds
from scorecard.context import MeasureContext
from scorecard.sla import CLOCKS

Z = 1.959963984540054
PARAMS = ("priority", "category", "service", "resource", "check_type", "question", "stat")
OUT = ("measure", *PARAMS, "month", "value", "numerator", "denominator", "n", "ci_low", "ci_high",
       "provisional")


def _ts(instant: dt.datetime) -> str:
    return f"TIMESTAMPTZ '{instant.astimezone(dt.UTC).strftime('%Y-%m-%d %H:%M:%S.%f')}+00'"


def _finish(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    df = con.sql(sql).pl()
    return df.select(
        (pl.col(c) if c in df.columns else pl.lit(None)).cast(
            pl.String if c in ("measure", "month", *PARAMS) else pl.Boolean if c == "provisional"
            else pl.Int64 if c == "n" else pl.Float64).alias(c)
        for c in OUT
    )


def _variants(inner: str, aggs: str, keys: tuple[str, ...] = ("priority", "category")) -> str:
    """``inner`` (with ``month`` and ``keys``) aggregated for the whole provider and per key,
    a null key value having no row of its own."""
    sets = ", ".join(["(month)", *(f"(month, {k})" for k in keys)])
    grouping = " + ".join(f"grouping({k})" for k in keys)
    keep = " or ".join([f"({grouping}) = {len(keys)}",
                        *(f"(grouping({k}) = 0 and {k} is not null)" for k in keys)])
    return f"""
        select month, {', '.join(keys)}, {aggs}
        from ({inner}) x
        group by grouping sets ({sets})
        having {keep}"""


def _wilson(x: str, n: str) -> str:
    p = f"(({x})::double / ({n}))"
    centre = f"(({p} + {Z * Z} / (2.0 * ({n}))) / (1 + {Z * Z} / ({n})))"
    half = f"({Z} * sqrt({p} * (1 - {p}) / ({n}) + {Z * Z} / (4.0 * ({n}) * ({n}))) / (1 + {Z * Z} / ({n})))"
    return (f"greatest(0.0, least(1.0, {centre} - {half})) as ci_low, "
            f"greatest(0.0, least(1.0, {centre} + {half})) as ci_high")


def _proportion(measure: str, x: str, n: str) -> str:
    return (f"'{measure}' as measure, ({x})::double / ({n}) as value, ({x})::double as numerator, "
            f"({n})::double as denominator, ({n})::bigint as n, {_wilson(x, n)}")


def _sla_inputs(ctx: MeasureContext, tickets: pl.DataFrame) -> pl.DataFrame:
    """Per ticket: its policy's deadlines and business hours to each clock's stop, from
    ``scorecard.calendars``."""
    pol = ctx.policies
    by_policy = pol.calendars_for(ctx.calendars, ctx.timezone)
    t = tickets.with_columns(pol.index_expr().alias("_policy"),
                             pl.coalesce("first_response_at", "resolved_at").alias("response_stop"),
                             pl.col("resolved_at").alias("resolution_stop"))
    policy = t["_policy"].fill_null(-1).to_numpy()
    opened = t["opened_at"].dt.replace_time_zone(None).to_numpy()
    cols = {f"{c}_{k}": np.full(t.height, np.nan if k == "hours" else np.datetime64("NaT", "us"))
            for c in CLOCKS for k in ("deadline", "hours")}
    for i, p in enumerate(pol.policies):
        rows = policy == i
        cal: BusinessCalendar = by_policy[p.name]
        for clock in CLOCKS:
            target = p.target(clock)
            if target is None:
                continue
            secs = target.seconds_on(cal, p.name)
            cols[f"{clock}_deadline"][rows] = deadlines(cal, opened[rows], secs)
            stop = t[f"{clock}_stop"].dt.replace_time_zone(None).to_numpy()[rows]
            cols[f"{clock}_hours"][rows] = elapsed_seconds(cal, opened[rows], stop) / 3600
    return t.select("ticket_id", "status", "priority", "category", "opened_at", "response_stop",
                    "resolution_stop").with_columns(
        *(pl.Series(k, v).dt.replace_time_zone("UTC") if k.endswith("deadline")
          else pl.Series(k, v, nan_to_null=True) for k, v in cols.items())
    ).filter(pl.lit(pl.Series(policy >= 0)))


def _windows_sql(cal: BusinessCalendar, first: str, last: str) -> str:
    """The calendar's working windows as rows (w_open, w_close), from its definition."""
    days = [i for i, h in enumerate(cal.hours) if h is not None]  # 0 = Monday
    hours = {i: cal.hours[i] for i in days}
    cases_open = " ".join(f"when {d} then {hours[d][0]}" for d in days)
    cases_close = " ".join(f"when {d} then {hours[d][1]}" for d in days)
    holidays = ", ".join(f"DATE '{h.isoformat()}'" for h in sorted(cal.holidays))
    off = f" and d::date not in ({holidays})" if holidays else ""
    return f"""
        select timezone('{cal.timezone}', d + to_minutes((case (isodow(d) - 1) {cases_open} end)::bigint)) as w_open,
               timezone('{cal.timezone}', d + to_minutes((case (isodow(d) - 1) {cases_close} end)::bigint)) as w_close
        from (select unnest(generate_series(TIMESTAMP '{first}', TIMESTAMP '{last}', interval 1 day)) as d)
        where (isodow(d) - 1) in ({', '.join(map(str, days))}){off}"""


def sql_measures(ctx: MeasureContext, facts: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Every measure, in long form with the columns of ``OUT``."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    tz, as_of = ctx.timezone, _ts(ctx.as_of)
    for name, frame in facts.items():
        con.register(name, frame.filter(pl.col("provider") == ctx.provider).to_arrow())
    first = min(ctx.months)
    last = max(ctx.months)
    con.execute(f"create macro lm(x) as strftime(timezone('{tz}', x), '%Y-%m')")
    con.execute(f"""
        create table months as
        select strftime(ls, '%Y-%m') as month,
               timezone('{tz}', ls) as m_start,
               timezone('{tz}', ls + interval 1 month) as m_end,
               least(timezone('{tz}', ls + interval 1 month), {as_of}) as period_end,
               {as_of} >= timezone('{tz}', ls + interval 1 month) as final,
               {as_of} > timezone('{tz}', ls + interval 1 month + to_days({ctx.reopen_window_days})) as final_reopen,
               {as_of} > timezone('{tz}', ls + interval 1 month + to_days({ctx.survey_window_days})) as final_survey
        from (select unnest(generate_series(TIMESTAMP '{first}-01', TIMESTAMP '{last}-01', interval 1 month)) as ls)
        where strftime(ls, '%Y-%m') in ({', '.join(f"'{m}'" for m in ctx.months)})
          and timezone('{tz}', ls) < {as_of}""")
    con.execute(f"create macro local_as_of() as timezone('{tz}', {as_of})::date")
    queries: list[str] = []
    if "tickets" in facts:
        queries += _ticket_queries(con, ctx, facts["tickets"], as_of)
    if "spend" in facts:
        queries += _cost_queries(ctx, "tickets" in facts)
    if "outages" in facts or "probes" in facts:
        queries += _availability_queries(con, ctx, facts, as_of)
    if "capacity" in facts:
        queries += _capacity_queries(as_of)
    if "projects" in facts:
        queries += _project_queries(ctx)
    if "checks" in facts:
        queries.append(f"""
            select c.check_type, c.month, {_proportion('checks.pass_rate', 'c.passed', 'c.total')},
                   not m.final as provisional
            from (select check_type, lm("at") as month, count(*) filter (passed) as passed, count(*) as total
                  from checks where "at" <= {as_of} and passed is not null group by all) c
            join months m using (month)""")
    if "survey_responses" in facts:
        queries += _survey_queries(as_of)
    if "survey_invitations" in facts:
        queries.append(f"""
            select i.month, {_proportion('survey.response_rate', 'i.answered', 'i.sent')},
                   not m.final_survey as provisional
            from (select lm(sent_at) as month, count(*) filter (responded_at <= {as_of}) as answered,
                         count(*) as sent
                  from survey_invitations where sent_at <= {as_of} group by all) i
            join months m using (month)""")
    if "actions" in facts:
        queries.append("""
            select a.month, """ + _proportion("governance.actions_on_time", "a.on_time", "a.due") + """,
                   not m.final as provisional
            from (select strftime(due_on, '%Y-%m') as month,
                         count(*) filter (closed_on is not null and closed_on <= due_on
                                          and closed_on <= local_as_of()) as on_time,
                         count(*) as due
                  from actions where due_on is not null group by all) a
            join months m using (month)""")
    frames = [_finish(con, q) for q in queries]
    return pl.concat(frames) if frames else pl.DataFrame(schema={c: pl.String for c in OUT})


# ------------------------------------------------------------------------------ tickets

def _ticket_queries(con: duckdb.DuckDBPyConnection, ctx: MeasureContext, tickets: pl.DataFrame,
                    as_of: str) -> list[str]:
    con.execute(f"""
        create table tk as
        select *, case when status <> 'cancelled' and resolved_at <= {as_of} then resolved_at end as res
        from tickets where opened_at <= {as_of}""")
    age = f"interval {ctx.backlog_age_days * 24} hour"
    grid = """
        select month, null::varchar as priority, null::varchar as category from months
        where exists (select 1 from tk)
        union all select month, priority, null from months,
                  (select distinct priority from tk where priority is not null)
        union all select month, null, category from months,
                  (select distinct category from tk where category is not null)"""

    def counts(measure: str, inner: str, final: str) -> str:
        return f"""
            select '{measure}' as measure, g.month, g.priority, g.category,
                   coalesce(c.k, 0)::double as value, coalesce(c.k, 0)::bigint as n,
                   not m.{final} as provisional
            from ({grid}) g
            left join ({_variants(inner, 'count(*) as k')}) c
              on c.month = g.month and c.priority is not distinct from g.priority
             and c.category is not distinct from g.category
            join months m on m.month = g.month"""

    backlog = """
        select m.month, t.priority, t.category from tk t join months m
          on t.opened_at < m.m_end and (t.res is null or t.res >= m.m_end)
        where t.status <> 'cancelled'{extra}"""
    out = [
        counts("tickets.opened", "select lm(opened_at) as month, priority, category from tk", "final"),
        counts("tickets.resolved", "select lm(res) as month, priority, category from tk where res is not null",
               "final_reopen"),
        counts("tickets.backlog", backlog.format(extra=""), "final"),
        counts("tickets.backlog_aged", backlog.format(extra=f" and t.opened_at < m.m_end - {age}"), "final"),
    ]
    resolved = ("select lm(res) as month, priority, category, reopen_count, reassignment_count "
                "from tk where res is not null")
    out.append(f"""
        select r.*, not m.final_reopen as provisional from (
            select month, priority, category, {_proportion('quality.reopen_rate',
                   'count(*) filter (reopen_count > 0)', 'count(reopen_count)')}
            from ({resolved}) x group by grouping sets ((month), (month, priority), (month, category))
            having (grouping(priority) + grouping(category) = 2
                    or (grouping(priority) = 0 and priority is not null)
                    or (grouping(category) = 0 and category is not null))
               and count(reopen_count) > 0) r join months m using (month)""")
    fa = "count(*) filter (reopen_count is not null and reassignment_count is not null)"
    out.append(f"""
        select r.*, not m.final_reopen as provisional from (
            select month, priority, category, {_proportion('quality.first_assignment_resolution',
                   'count(*) filter (reopen_count = 0 and reassignment_count = 0)', fa)}
            from ({resolved}) x group by grouping sets ((month), (month, priority), (month, category))
            having (grouping(priority) + grouping(category) = 2
                    or (grouping(priority) = 0 and priority is not null)
                    or (grouping(category) = 0 and category is not null))
               and {fa} > 0) r join months m using (month)""")
    window = f"interval {ctx.repeat_window_days * 24} hour"
    repeat = f"""
        select lm(t.opened_at) as month, t.priority, t.category,
               exists (select 1 from tk e where e.requester = t.requester and e.category = t.category
                       and e.res is not null and e.res >= e.opened_at
                       and e.res < t.opened_at and e.res >= t.opened_at - {window}) as rep
        from tk t where t.requester is not null and t.category is not null"""
    out.append(f"""
        select r.*, not m.final as provisional from (
            select month, priority, category,
                   {_proportion('quality.repeat_rate', 'count(*) filter (rep)', 'count(*)')}
            from ({repeat}) x group by grouping sets ((month), (month, priority), (month, category))
            having grouping(priority) + grouping(category) = 2
                or (grouping(priority) = 0 and priority is not null)
                or (grouping(category) = 0 and category is not null)) r join months m using (month)""")
    dup = ", ".join(f"'{c}'" for c in sorted(ctx.duplicate_categories))
    how = ", ".join(f"'{c}'" for c in sorted(ctx.how_to_categories))
    for measure, cats in (("demand.duplicate_share", dup), ("demand.how_to_share", how)):
        out.append(f"""
            select r.*, not m.final as provisional from (
                select month, priority,
                       {_proportion(measure, f'count(*) filter (category in ({cats}))', 'count(*)')}
                from (select lm(opened_at) as month, priority, category from tk where category is not null) x
                group by grouping sets ((month), (month, priority))
                having grouping(priority) = 1 or priority is not null) r join months m using (month)""")
    if ctx.policies is not None:
        out += _sla_queries(con, ctx, tickets, as_of)
    return out


def _sla_queries(con: duckdb.DuckDBPyConnection, ctx: MeasureContext, tickets: pl.DataFrame,
                 as_of: str) -> list[str]:
    con.register("sla_in", _sla_inputs(ctx, tickets.filter(pl.col("provider") == ctx.provider)).to_arrow())
    con.execute(f"""
        create table outcomes as
        with clocks as (
            select 'response' as clock, *, response_stop as stop, response_deadline as deadline,
                   response_hours as hours from sla_in
            union all
            select 'resolution', *, resolution_stop, resolution_deadline, resolution_hours from sla_in
        ), judged as (
            select *, stop is not null and stop <= {as_of} as stopped,
                   stop is null and status in ('resolved', 'closed') as unknown
            from clocks
            where status <> 'cancelled' and opened_at <= {as_of} and deadline is not null
        )
        select clock, priority, category, stopped,
               lm(case when stopped then stop else deadline end) as month,
               stopped and stop <= deadline as met,
               case when stopped then hours end as hours
        from judged where stopped or (not unknown and deadline < {as_of})""")
    out = []
    for clock, met_measure, time_measure, final in (
            ("response", "sla.response_met", "time.first_response", "final"),
            ("resolution", "sla.resolution_met", "time.resolution", "final_reopen")):
        inner = f"select * from outcomes where clock = '{clock}'"
        out.append(f"""
            select r.*, (not m.{final} or r.running > 0) as provisional from (
                {_variants(inner, _proportion(met_measure, 'count(*) filter (met)', 'count(*)')
                           + ', count(*) filter (not stopped) as running')}
            ) r join months m using (month)""")
        for stat, q in (("median", 0.5), ("p90", 0.9)):
            stopped = f"select * from outcomes where clock = '{clock}' and hours is not null"
            out.append(f"""
                select '{time_measure}' as measure, '{stat}' as stat, r.*, not m.{final} as provisional from (
                    {_variants(stopped, f'quantile_cont(hours::double, {q}) as value, count(*) as n')}
                ) r join months m using (month)""")
    return out


# ------------------------------------------------------------------------------ cost

def _cost_queries(ctx: MeasureContext, with_tickets: bool) -> list[str]:
    start = ctx.budget_year_start
    base = f"""
        select month, sum(amount) as amount,
               case when count(budget) = count(*) then sum(budget) end as budget,
               case when count(hours) = count(*) then sum(hours) end as hours, count(*) as rows,
               (strptime(month || '-01', '%Y-%m-%d') - to_months({start - 1}))::date as fy_date
        from spend group by month"""
    ytd = f"""
        select month, amount, budget, hours, rows,
               sum(amount) over w as ytd_amount, sum(budget) over w as ytd_budget,
               count(*) filter (budget is null) over w as missing, count(*) over w as ytd_months
        from ({base}) b
        window w as (partition by year(fy_date) order by month rows between unbounded preceding and current row)"""
    out = [f"""
        select 'effort.hours' as measure, y.month, y.hours as value, y.rows as n, not m.final as provisional
        from ({ytd}) y join months m using (month) where y.hours is not null""", f"""
        select 'cost.spend' as measure, y.month, y.amount as value, y.rows as n, not m.final as provisional
        from ({ytd}) y join months m using (month)""", f"""
        select 'cost.budget_burn' as measure, y.month, y.ytd_amount / y.ytd_budget as value,
               y.ytd_amount as numerator, y.ytd_budget as denominator, y.ytd_months as n,
               not m.final as provisional
        from ({ytd}) y join months m using (month) where y.missing = 0 and y.ytd_budget > 0"""]
    if with_tickets:
        out.append(f"""
            select 'cost.per_ticket' as measure, s.month,
                   case when coalesce(r.k, 0) > 0 then s.amount / r.k end as value,
                   s.amount as numerator, coalesce(r.k, 0)::double as denominator, coalesce(r.k, 0) as n,
                   not m.final or not m.final_reopen as provisional
            from (select month, sum(amount) as amount from spend group by month) s
            join months m using (month)
            left join (select lm(res) as month, count(*) as k from tk where res is not null group by 1) r
              using (month)
            where exists (select 1 from tk)""")
    return out


# ------------------------------------------------------------------------------ availability

def _availability_queries(con: duckdb.DuckDBPyConnection, ctx: MeasureContext,
                          facts: Mapping[str, pl.DataFrame], as_of: str) -> list[str]:
    spec = pl.DataFrame({
        "service": list(ctx.services),
        "calendar": [s.calendar or "24x7" for s in ctx.services.values()],
        "target": [s.target for s in ctx.services.values()],
    }, schema={"service": pl.String, "calendar": pl.String, "target": pl.Float64})
    con.register("spec", spec.to_arrow())
    has_outages, has_probes = "outages" in facts, "probes" in facts
    none = "(select null::varchar as service where false)"
    logged = "(select distinct service from outages)" if has_outages else none
    probed = "(select distinct service from probes)" if has_probes else none
    con.execute(f"""
        create table svc as
        select s.service, coalesce(spec.calendar, '24x7') as calendar from (
            select service from {logged}
            union select service from spec
              where service not in (select service from {probed})
                and {'exists (select 1 from outages)' if has_outages else 'false'}
        ) s left join spec using (service)""")
    # working windows of every calendar (24×7: one window per month period, added below)
    windows = []
    for name, cal in ctx.calendars.items():
        if not cal.always and name in set(spec["calendar"]):
            windows.append(f"select '{name}' as calendar, * from ({_windows_sql(cal, '2022-12-01', '2026-03-01')})")
    windows.append("select '24x7', TIMESTAMPTZ '1970-01-01 00:00:00+00', TIMESTAMPTZ '2100-01-01 00:00:00+00'")
    con.execute(f"create table win as {' union all '.join(windows)}")
    con.execute("""create macro biz(cal, a, b) as (
        select coalesce(sum(greatest(0, epoch_us(least(b, w_close)) - epoch_us(greatest(a, w_open)))), 0) / 1e6
        from win where win.calendar = cal and w_open < b and w_close > a)""")
    out = []
    if has_outages:
        con.execute(f"""
            create table pieces as
            select o.service, s.calendar, m.month, o.impact,
                   greatest(o.started_at, m.m_start) as a,
                   least(least(coalesce(o.ended_at, {as_of}), {as_of}), m.period_end) as b
            from outages o join svc s using (service) join months m
              on o.started_at < m.period_end and least(coalesce(o.ended_at, {as_of}), {as_of}) > m.m_start
            where not o.planned and least(coalesce(o.ended_at, {as_of}), {as_of}) > o.started_at""")
        # layer cake: downtime = Σ over impact levels λ₁<λ₂<… of (λₖ − λₖ₋₁) × |∪ pieces with impact ≥ λₖ|
        con.execute("""
            create table levels as
            select service, calendar, month, impact as level,
                   impact - coalesce(lag(impact) over (partition by service, month order by impact), 0) as step
            from (select distinct service, calendar, month, impact from pieces)""")
        con.execute("""
            create table islands as
            with p as (
                select l.service, l.calendar, l.month, l.level, l.step, p.a, p.b
                from levels l join pieces p on p.service = l.service and p.month = l.month and p.impact >= l.level
            ), marked as (
                select *, case when a <= max(b) over (partition by service, month, level order by a, b
                                                     rows between unbounded preceding and 1 preceding)
                               then 0 else 1 end as new_island
                from p
            ), numbered as (
                select *, sum(new_island) over (partition by service, month, level order by a, b
                                                rows between unbounded preceding and current row) as island
                from marked
            )
            select service, calendar, month, level, step, island, min(a) as a, max(b) as b
            from numbered group by all""")
        out.append("""
            with sched as (
                select s.service, m.month, biz(s.calendar, m.m_start, m.period_end) as secs, m.final
                from svc s cross join months m where m.period_end > m.m_start
            ), lost as (
                select service, month, sum(step * biz(calendar, a, b)) as secs from islands group by all
            ), counts as (select service, month, count(*) as k from pieces group by all)
            select 'availability.service' as measure, s.service, s.month,
                   (s.secs - coalesce(l.secs, 0)) / s.secs as value,
                   (s.secs - coalesce(l.secs, 0)) / 60 as numerator, s.secs / 60 as denominator,
                   coalesce(c.k, 0) as n, not s.final as provisional
            from sched s left join lost l using (service, month) left join counts c using (service, month)
            where s.secs > 0""")
        ended = f"""
            select service, lm(ended_at) as month,
                   (epoch_us(ended_at) - epoch_us(started_at)) / 60e6 as minutes
            from outages where not planned and ended_at is not null and ended_at <= {as_of}
              and ended_at >= started_at and service in (select service from svc)"""
        grid = """
            select month, null::varchar as service from months where exists (select 1 from svc)
            union all select month, service from months, svc"""
        out.append(f"""
            select 'availability.outages' as measure, g.month, g.service, coalesce(e.k, 0)::double as value,
                   coalesce(e.k, 0) as n, not m.final as provisional
            from ({grid}) g left join ({_variants(ended, 'count(*) as k', ('service',))}) e
              on e.month = g.month and e.service is not distinct from g.service
            join months m on m.month = g.month""")
        mean = "avg(minutes) as value, sum(minutes) as numerator, count(*)::double as denominator, count(*) as n"
        out.append(f"""
            select 'availability.mttr' as measure, e.*, not m.final as provisional from (
                {_variants(ended, mean, ('service',))}
            ) e join months m using (month)""")
    if has_probes:
        exclude = "and service not in (select service from outages)" if has_outages else ""
        out.append(f"""
            select p.service, p.month,
                   {_proportion('availability.service', 'p.up', 'p.total')}, not m.final as provisional
            from (select service, lm("at") as month, count(*) filter (up) as up, count(*) as total
                  from probes where "at" <= {as_of} {exclude} group by all) p
            join months m using (month)""")
    return out


def _meeting_target(results: pl.DataFrame, ctx: MeasureContext) -> pl.DataFrame:
    """availability.services_meeting_target from the SQL side's service rows (in SQL too)."""
    con = duckdb.connect()
    targets = pl.DataFrame({"service": list(ctx.services), "target": [s.target for s in ctx.services.values()]},
                           schema={"service": pl.String, "target": pl.Float64})
    con.register("svc_rows", results.filter(pl.col("measure") == "availability.service").to_arrow())
    con.register("targets", targets.to_arrow())
    return _finish(con, f"""
        select month, {_proportion('availability.services_meeting_target', 'meeting', 'k')}, provisional
        from (select month, count(*) as k, count(*) filter (value >= target - 1e-12) as meeting,
                     bool_or(provisional) as provisional
              from svc_rows join targets using (service) where target is not null group by month)""")


# ------------------------------------------------------------------------------ capacity

def _capacity_queries(as_of: str) -> list[str]:
    p95 = f"""
        select resource, lm("at") as month, quantile_cont(used / capacity, 0.95) as p95, count(*) as samples
        from capacity where "at" <= {as_of} and used is not null and capacity > 0 group by all"""
    idx = "(year(strptime(month || '-01', '%Y-%m-%d')) * 12 + month(strptime(month || '-01', '%Y-%m-%d')) - 1)"
    trend = f"""
        with p as (select resource, month, p95, {idx} as k from ({p95})),
        w as (select a.resource, a.month, a.p95 as now, b.k as x, b.p95 as y
              from p a join p b on a.resource = b.resource and b.k between a.k - 5 and a.k),
        pts as (select resource, month, count(*) as points, any_value(now) as now from w group by all),
        sl as (select a.resource, a.month, median((b.y - a.y) / (b.x - a.x)) as slope
               from w a join w b on a.resource = b.resource and a.month = b.month and b.x > a.x group by all)
        select resource, month, points,
               case when now >= 1 then 0.0 when slope > 0 then (1 - now) / slope end as value
        from pts left join sl using (resource, month) where points >= 3"""
    return [f"""
        select 'capacity.p95_utilisation' as measure, c.resource, c.month, c.p95 as value, c.samples as n,
               not m.final as provisional
        from ({p95}) c join months m using (month)""", f"""
        select 'capacity.months_to_exhaustion' as measure, t.resource, t.month, t.value, t.points as n,
               not m.final as provisional
        from ({trend}) t join months m using (month)"""]


# ------------------------------------------------------------------------------ projects

def _project_queries(ctx: MeasureContext) -> list[str]:
    latest = """
        select * from (
            select *, strftime(as_of, '%Y-%m') as month,
                   row_number() over (partition by project, strftime(as_of, '%Y-%m') order by as_of desc) as r
            from projects where as_of <= local_as_of())
        where r = 1 and (pct_complete is null or pct_complete < 100)"""
    due = f"baseline_end + to_days({ctx.project_tolerance_days})"
    return [f"""
        select p.month, {_proportion('projects.on_schedule', 'p.on_time', 'p.judged')}, not m.final as provisional
        from (select month, count(forecast_end) as judged, count(*) filter (forecast_end <= {due}) as on_time
              from ({latest}) group by month) p
        join months m using (month) where p.judged > 0""", f"""
        select 'projects.cost_variance' as measure, p.month, p.over / p.base as value, p.over as numerator,
               p.base as denominator, p.k as n, not m.final as provisional
        from (select month, sum(forecast_cost - baseline_cost) as over, sum(baseline_cost) as base, count(*) as k
              from ({latest}) where baseline_cost is not null and forecast_cost is not null group by month) p
        join months m using (month) where p.base > 0"""]


# ------------------------------------------------------------------------------ surveys

def _survey_queries(as_of: str) -> list[str]:
    csat = f"""
        select lm(answered_at) as month, question, rating from survey_responses
        where scale = '1-5' and rating between 1 and 5 and answered_at <= {as_of}"""
    nps = f"""
        select lm(answered_at) as month, count(*) filter (rating >= 9)::double / count(*) as pro,
               count(*) filter (rating <= 6)::double / count(*) as det,
               count(*) filter (rating >= 9) - count(*) filter (rating <= 6) as net, count(*) as k
        from survey_responses where scale = '0-10' and rating between 0 and 10 and answered_at <= {as_of}
        group by 1"""
    return [f"""
        select c.*, not m.final as provisional from (
            {_variants(csat, _proportion('survey.csat', 'count(*) filter (rating >= 4)', 'count(*)'), ('question',))}
        ) c join months m using (month)""", f"""
        select 'survey.nps' as measure, month, 100 * (pro - det) as value, net::double as numerator,
               k::double as denominator, k as n,
               greatest(-100, 100 * (pro - det - {Z} * sqrt((pro + det - (pro - det) ^ 2) / k))) as ci_low,
               least(100, 100 * (pro - det + {Z} * sqrt((pro + det - (pro - det) ^ 2) / k))) as ci_high,
               not m.final as provisional
        from ({nps}) join months m using (month)"""]


def all_sql_measures(ctx: MeasureContext, facts: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """:func:`sql_measures` plus availability.services_meeting_target."""
    rows = sql_measures(ctx, facts)
    if "outages" in facts or "probes" in facts:
        rows = pl.concat([rows, _meeting_target(rows, ctx)])
    return rows
