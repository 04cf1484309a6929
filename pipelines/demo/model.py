"""What the demo generator hands back: providers, their fact frames and the known events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from scorecard.errors import NotFound
from scorecard.facts import FACTS

ProviderKind = Literal["it", "legal"]


@dataclass(frozen=True)
class DemoEvent:
    """A change deliberately put into the demo data, which a good scorecard should show.

    ``start_month`` is the first month affected (``YYYY-MM``, in the provider's time zone);
    ``end_month`` the last one for an event that ends (``None`` when it persists); ``measure``
    the DESIGN.md §3 measure id that shows it; ``month_index`` counts months from the demo's
    first month (0).
    """

    provider: str
    name: str
    fact: str
    start_month: str
    description: str
    measure: str = ""
    end_month: str | None = None
    month_index: int = 0


@dataclass(frozen=True)
class DemoProvider:
    """One demo provider: who it is and its facts, each in the canonical schema."""

    name: str
    kind: ProviderKind
    timezone: str
    facts: dict[str, pl.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoData:
    """The whole demo: ``months`` months from ``start`` to ``end`` (inclusive) for ``seed``."""

    seed: int
    start: str
    end: str
    months: int
    providers: tuple[DemoProvider, ...]
    events: tuple[DemoEvent, ...]

    def provider(self, name: str) -> DemoProvider:
        for p in self.providers:
            if p.name == name:
                return p
        raise NotFound(f"no demo provider {name!r}; known: {', '.join(p.name for p in self.providers)}")

    def events_for(self, provider: str) -> list[DemoEvent]:
        return [e for e in self.events if e.provider == provider]


def frame(fact_name: str, columns: dict[str, pl.Series | object]) -> pl.DataFrame:
    """A frame in the exact canonical schema of ``fact_name`` (names, order and dtypes).

    Scalars are broadcast; every column of the fact must be given.
    """
    schema = FACTS[fact_name].schema
    missing = [c for c in schema if c not in columns]
    extra = [c for c in columns if c not in schema]
    if missing or extra:
        raise ValueError(f"{fact_name}: missing columns {missing}, unexpected {extra}")
    series = {k: v for k, v in columns.items() if isinstance(v, pl.Series)}
    height = max((len(s) for s in series.values()), default=0)
    exprs = []
    for name, dtype in schema.items():
        v = columns[name]
        if isinstance(v, pl.Series):
            exprs.append(pl.lit(v).cast(dtype, strict=True).alias(name))
        else:
            exprs.append(pl.repeat(v, height, dtype=dtype).alias(name))
    if height == 0:
        return pl.DataFrame(schema=schema)
    return pl.select(exprs)
