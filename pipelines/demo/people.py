"""The client company's people who raise tickets: raw requester ids and their departments.

Both providers serve the same company, so they share one directory: a person who asks the
legal provider for an NDA review may also have raised IT tickets, under the same id and in the
same department. The ids are raw (``user0421@example.com``); import pseudonymises them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .span import sub_rng

DEPARTMENTS: dict[str, float] = {
    "Operations": 0.22,
    "Sales": 0.20,
    "Engineering": 0.15,
    "Customer Service": 0.12,
    "Finance": 0.08,
    "Marketing": 0.08,
    "HR": 0.05,
    "Procurement": 0.04,
    "Partnerships": 0.03,
    "Legal": 0.02,
    "Executive": 0.01,
}
PEOPLE = 3000


@dataclass(frozen=True, eq=False)
class Directory:
    ids: np.ndarray  # object array of "userNNNN@example.com"
    department: np.ndarray  # object array of department names
    activity: np.ndarray  # relative ticket-raising propensity, sums to 1

    def sample(self, rng: np.random.Generator, n: int, weights: np.ndarray | None = None,
               ) -> tuple[pl.Series, pl.Series]:
        """``n`` requesters (with their departments) drawn by activity × ``weights``."""
        p = self.activity if weights is None else self.activity * weights
        who = rng.choice(len(self.ids), size=n, p=p / p.sum())
        return pl.Series(self.ids[who], dtype=pl.String), pl.Series(self.department[who], dtype=pl.String)

    def weights_by_department(self, share: dict[str, float]) -> np.ndarray:
        """Per-person weights that make departments appear in proportion to ``share``."""
        w = np.zeros(len(self.ids))
        for dept, s in share.items():
            members = self.department == dept
            total = self.activity[members].sum()
            if total > 0:
                w[members] = s / total
        return w


def build_directory(seed: int) -> Directory:
    rng = sub_rng(seed, "directory")
    names = list(DEPARTMENTS)
    p = np.array([DEPARTMENTS[d] for d in names])
    dept = np.array(names, dtype=object)[rng.choice(len(names), size=PEOPLE, p=p / p.sum())]
    ids = np.array([f"user{i:04d}@example.com" for i in range(1, PEOPLE + 1)], dtype=object)
    # a few people raise many tickets, most raise a handful
    activity = rng.lognormal(0.0, 0.9, PEOPLE)
    return Directory(ids, dept, activity / activity.sum())
