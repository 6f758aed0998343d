"""A straightforward exact team search, the baseline for the team builder.

Over the core's own candidates (the same geography and the same strengths, distances and
freshness, scored by the same published formula), try team sizes 1, 2, 3 … in turn; for a
size, branch on the uncovered need with the fewest coverers, try each coverer (a coverer
tried is excluded from its later siblings, so every team is seen once), and prune a branch
when an upper bound (per need the best strength still available, plus the best qualities)
cannot beat the best team found; the last member is chosen vectorised (NumPy over all the
candidates that complete the cover). No dominance pruning, no mask classes, no reachability
tables: what the core adds on top.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from core.search.index import ReadIndex
from core.search.ranking import (
    FRESHNESS_HORIZON_DAYS,
    effective_levels,
    match_partners,
    resolve_query_place,
)
from core.taxonomy import EXPERT
from core.teams.finder import TEAM_SCORE_WEIGHTS
from core.teams.query import TeamQuery


@dataclass
class TeamProblem:
    strength: np.ndarray  # (candidates, needs): evidence part, 0 where the need is not met
    close: np.ndarray
    fresh: np.ndarray
    masks: np.ndarray  # int64 bit per need met
    partner_ids: np.ndarray


def team_problem(index: ReadIndex, query: TeamQuery, *, now: datetime) -> TeamProblem:
    """The candidates and their figures, exactly as the core's finder computes them."""
    place = resolve_query_place(query.search_query())
    matches = match_partners(index, query.search_query(), place, apply_needs=False)
    rows, distance = matches.rows, matches.distance_km
    columns = [index.column(k) for k in query.needs]
    cells = np.ix_(rows, np.asarray(columns, dtype=np.intp))
    claimed = index.claimed[cells].astype(np.float64)
    evidenced = index.evidenced[cells].astype(np.float64)
    meets = effective_levels(index, columns, evidence_only=query.evidence_only)[rows]
    meets = meets >= query.min_level
    strength = np.where(meets, (evidenced + 0.5 * np.maximum(claimed - evidenced, 0)) / EXPERT, 0)
    strength = strength * (TEAM_SCORE_WEIGHTS["evidence"] / len(query.needs))
    close = (
        np.clip(1.0 - distance / query.radius_km, 0.0, 1.0)
        if distance is not None
        else np.zeros(rows.size)
    )
    age_days = (now.timestamp() - index.freshness_ts[rows]) / 86400.0
    fresh = np.clip(1.0 - np.nan_to_num(age_days, nan=1e9) / FRESHNESS_HORIZON_DAYS, 0.0, 1.0)
    weights = 1 << np.arange(len(query.needs), dtype=np.int64)
    masks = meets.astype(np.int64) @ weights
    useful = masks > 0
    return TeamProblem(
        strength[useful],
        close[useful],
        fresh[useful],
        masks[useful],
        index.partner_ids[rows][useful],
    )


class OutOfTime(Exception):
    """The search ran past its budget (the benchmark then records the budget, a lower bound)."""


def _best_of_size(
    problem: TeamProblem, size: int, count: int, deadline: float = float("inf")
) -> list[tuple[float, tuple[int, ...]]]:
    """The ``count`` best teams of ``size`` members (score descending); [] if none covers."""
    needs = problem.strength.shape[1]
    full = (1 << needs) - 1
    quality = (
        TEAM_SCORE_WEIGHTS["distance"] * problem.close
        + TEAM_SCORE_WEIGHTS["freshness"] * problem.fresh
    ) / size
    best_q = np.sort(quality)[::-1][:size]
    coverers = [np.flatnonzero(problem.masks & (1 << n)) for n in range(needs)]
    best: list[tuple[float, tuple[int, ...]]] = []  # at most `count`, best first

    def threshold() -> float:
        return best[-1][0] if len(best) == count else -np.inf

    def extend(team: tuple[int, ...], covered: int, top: np.ndarray, q_sum: float,
               allowed: np.ndarray) -> None:  # fmt: skip
        if time.perf_counter() > deadline:
            raise OutOfTime
        missing = full & ~covered
        left = size - len(team)
        bound = np.maximum(top, problem.strength[allowed].max(axis=0, initial=0.0)).sum()
        if bound + q_sum + best_q[:left].sum() <= threshold() - 1e-9:
            return
        if left == 1:
            last = allowed & ((problem.masks & missing) == missing)
            picks = np.flatnonzero(last)
            if picks.size == 0:
                return
            scores = np.maximum(top, problem.strength[picks]).sum(axis=1) + quality[picks] + q_sum
            for at in np.argsort(-scores, kind="stable")[:count]:
                if scores[at] <= threshold():
                    break
                best.append((float(scores[at]), tuple(sorted((*team, int(picks[at]))))))
                best.sort(key=lambda scored: -scored[0])
                del best[count:]
            return
        need = min(
            (n for n in range(needs) if missing >> n & 1),
            key=lambda n: int(allowed[coverers[n]].sum()),
        )
        options = coverers[need][allowed[coverers[need]]]
        # Strongest on that need first: good teams early make the bound bite.
        options = options[np.argsort(-problem.strength[options, need], kind="stable")]
        allowed = allowed.copy()
        for member in options:
            allowed[member] = False  # later siblings never take it again; nor do its children
            extend(
                (*team, int(member)),
                covered | int(problem.masks[member]),
                np.maximum(top, problem.strength[member]),
                q_sum + float(quality[member]),
                allowed,
            )

    extend((), 0, np.zeros(needs), 0.0, np.ones(problem.masks.size, dtype=bool))
    return best


def find_teams(
    index: ReadIndex,
    query: TeamQuery,
    *,
    now: datetime | None = None,
    budget_s: float | None = None,
) -> tuple[int | None, list[float], list[list[int]]]:
    """(smallest size up to max_size, the 1 + alternatives best scores, their member ids):
    as many teams as the core returns. Raises OutOfTime past ``budget_s``."""
    deadline = float("inf") if budget_s is None else time.perf_counter() + budget_s
    problem = team_problem(index, query, now=now or datetime.now(UTC))
    for size in range(1, query.max_size + 1):
        found = _best_of_size(problem, size, 1 + query.alternatives, deadline)
        if found:
            scores = [score for score, _ in found]
            teams = [sorted(int(problem.partner_ids[m]) for m in members) for _, members in found]
            return size, scores, teams
    return None, [], []
