"""Exact best teams of the minimum size (pure NumPy: no index, no places, no UI).

Stripped of partners and maps, the problem is: candidate ``i`` has a strength ``s[i, n] >= 0``
on each need ``n`` (0 = does not cover it) and a quality ``q[i]``. A team is a set of
candidates that together cover every need, and its score is

    score(T) = sum over needs n of max_{i in T} s[i, n]  +  sum_{i in T} q[i]

(each need is credited to the team's strongest member on it; quality adds up). Given the
smallest size ``k`` (``core.team_cover``), we want the ``count`` best teams of that size —
exactly, not a greedy guess. Why the shortcuts below keep it exact:

1. ``y`` dominates ``x`` when ``y`` is at least as strong on every need and at least as good in
   quality (ties broken by index). Swapping a member for a dominator never loses coverage nor
   lowers the score, so a candidate with ``count + k - 1`` dominators can be dropped: any team
   using it is matched by ``count`` distinct teams without it that score at least as well.
2. A member must leave needs that ``k - 1`` others can cover (else it is in no team of size k).
3. In a minimum team all members have different masks (equal masks would make one of them
   redundant), so a team is a set of ``k`` distinct mask classes whose union is full. Class
   sets are enumerated once each (branch on the classes covering the least-covered missing
   need; a class tried as that need's coverer is excluded from its later siblings), with an
   upper bound at every step (per need the best strength still available, plus the best
   qualities), and member choices are scored exactly, vectorised, only while the bound can
   still beat the ``count``-th best team found so far.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.teams.cover import coverable_tables, coverage_masks

_PRODUCT_CHUNK = 250_000  # member pairs scored per vectorised step
_BOUND_SLACK = 1e-9  # float sums in another order may differ in the last bits
# Beyond this many distinct profiles, comparing them pairwise costs more than the branch and
# bound saves (measured on the demo directory); twins inside a profile are still pruned.
_MAX_PROFILES_COMPARED = 300


@dataclass(frozen=True)
class ScoredTeam:
    score: float
    members: tuple[int, ...]  # candidate indices, ascending


def prune_dominated(strength: np.ndarray, quality: np.ndarray, *, keep: int) -> np.ndarray:
    """Indices of candidates with fewer than ``keep`` dominators (see point 2 above).

    Dominators are counted among a subset (each profile's best ``keep``; equal qualities only
    from lower indices), which can only under-count: a candidate is dropped only when it
    truly has ``keep`` dominators, and by induction it then has ``keep`` kept ones.
    """
    m = quality.shape[0]
    if m <= keep:
        return np.arange(m)
    order = np.lexsort((np.arange(m), -quality))  # best quality first, index breaks ties
    profiles, inverse = np.unique(strength[order], axis=0, return_inverse=True)
    inverse = inverse.ravel()
    by_profile = np.argsort(inverse, kind="stable")  # keeps quality order inside a profile
    grouped = inverse[by_profile]
    starts = np.r_[0, np.flatnonzero(np.diff(grouped)) + 1]
    counts = np.diff(np.r_[starts, m])
    rank = np.empty(m, dtype=np.int64)
    rank[by_profile] = np.arange(m) - np.repeat(starts, counts)
    alive = rank < keep  # positions in `order`; the rest have `keep` twins of better quality
    n_prof = profiles.shape[0]
    if n_prof > _MAX_PROFILES_COMPARED:  # the search stays exact either way
        return np.sort(order[alive])

    # first[a]: positions (= quality order) of profile a's best `keep` members, padded.
    first = np.full((n_prof, keep), m, dtype=np.int64)
    first[inverse[alive], rank[alive]] = np.flatnonzero(alive)
    # ahead[b]: the `keep` earliest positions among members of strictly better profiles
    # (at least as strong on every need, different somewhere).
    ahead = np.empty((n_prof, keep), dtype=np.int64)
    step = max(1, 4_000_000 // max(1, n_prof * max(keep, profiles.shape[1])))
    for lo in range(0, n_prof, step):
        block = profiles[lo : lo + step]
        better = (profiles[None, :, :] >= block[:, None, :]).all(axis=2)  # (block, profiles)
        assert isinstance(better, np.ndarray)  # 3-D reduced on one axis; NumPy types a scalar too
        better[np.arange(block.shape[0]), np.arange(lo, lo + block.shape[0])] = False
        pooled = np.where(better[:, :, None], first[None, :, :], m).reshape(block.shape[0], -1)
        if pooled.shape[1] > keep:
            pooled = np.partition(pooled, keep - 1, axis=1)[:, :keep]
        ahead[lo : lo + step] = pooled
    positions = np.flatnonzero(alive)
    dominators = rank[positions] + (ahead[inverse[positions]] < positions[:, None]).sum(axis=1)
    return np.sort(order[positions[dominators < keep]])


class _Best:
    """The ``count`` best (score, members) seen so far, deterministic on ties."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.teams: list[tuple[float, tuple[int, ...]]] = []

    @property
    def threshold(self) -> float:
        return self.teams[-1][0] - _BOUND_SLACK if len(self.teams) >= self.count else -np.inf

    def offer(self, scores: np.ndarray, members: np.ndarray) -> None:
        good = np.flatnonzero(scores >= self.threshold)
        if good.size > self.count:
            good = good[np.argpartition(-scores[good], self.count - 1)[: self.count]]
        for i in good:
            self.teams.append((float(scores[i]), tuple(sorted(int(x) for x in members[i]))))
        self.teams.sort(key=lambda t: (-t[0], t[1]))
        del self.teams[self.count :]


def best_teams(
    strength: np.ndarray, quality: np.ndarray, *, size: int, count: int
) -> list[ScoredTeam]:
    """The ``count`` best covering teams of exactly ``size`` members, best first.

    ``size`` must be the smallest team size (``core.team_cover.smallest_team_size``): the
    search relies on the members of a minimum team having distinct masks.
    """
    strength = np.asarray(strength, dtype=np.float64)
    quality = np.asarray(quality, dtype=np.float64)
    needs = strength.shape[1]
    full = (1 << needs) - 1
    masks = coverage_masks(strength)
    rest_coverable = coverable_tables(masks, needs, levels=size - 1)[size - 1]
    useful = np.flatnonzero((masks != 0) & rest_coverable[full & ~masks])
    kept = useful[prune_dominated(strength[useful], quality[useful], keep=count + size - 1)]
    if kept.size == 0:
        return []
    search = _ClassSearch(strength, quality, kept, size=size, count=count)
    search.run()
    return [ScoredTeam(score=s, members=m) for s, m in search.best.teams]


class _ClassSearch:
    """Branch and bound over sets of mask classes, then over the members of each set."""

    def __init__(
        self, strength: np.ndarray, quality: np.ndarray, kept: np.ndarray, *, size: int, count: int
    ) -> None:
        self.strength, self.quality, self.size = strength, quality, size
        self.needs = strength.shape[1]
        self.full = (1 << self.needs) - 1
        class_masks, class_of = np.unique(coverage_masks(strength[kept]), return_inverse=True)
        class_of = class_of.ravel()
        members = [kept[class_of == c] for c in range(class_masks.size)]
        self.members = [m[np.lexsort((m, -quality[m]))] for m in members]  # best quality first
        self.class_masks = class_masks
        self.class_bits = (class_masks[:, None] >> np.arange(self.needs)) & 1 == 1
        self.class_best = np.stack([strength[m].max(axis=0) for m in self.members])
        self.class_quality = np.asarray([quality[m[0]] for m in self.members])
        self.coverable = coverable_tables(class_masks, self.needs, levels=size)
        self.best = _Best(count)

    def run(self) -> None:
        allowed = np.ones(self.class_masks.size, dtype=bool)
        self._extend((), 0, np.zeros(self.needs), 0.0, allowed)

    def _extend(
        self,
        chosen: tuple[int, ...],
        covered: int,
        have: np.ndarray,
        have_quality: float,
        allowed: np.ndarray,
    ) -> None:
        missing = self.full & ~covered
        slots = self.size - len(chosen)
        if slots == 1:
            last = np.flatnonzero(allowed & ((self.class_masks & missing) == missing))
            bounds = (
                np.maximum(have, self.class_best[last]).sum(axis=1)
                + have_quality
                + self.class_quality[last]
            )
            for i in np.argsort(-bounds, kind="stable"):
                if bounds[i] < self.best.threshold:
                    break
                self._evaluate((*chosen, int(last[i])))
            return
        if not self.coverable[slots][missing]:
            return
        # Branch on the missing need with the fewest classes left to cover it.
        covering = self.class_bits[allowed].sum(axis=0)
        missing_needs = np.flatnonzero((missing >> np.arange(self.needs)) & 1)
        pivot = missing_needs[np.argmin(covering[missing_needs])]
        options = np.flatnonzero(allowed & self.class_bits[:, pivot])
        if options.size == 0:
            return
        rest_best = self.class_best[allowed].max(axis=0)
        rest_quality = np.sort(self.class_quality[allowed])[::-1][: slots - 1].sum()
        bounds = (
            np.maximum(np.maximum(have, self.class_best[options]), rest_best).sum(axis=1)
            + have_quality
            + self.class_quality[options]
            + rest_quality
        )
        allowed = allowed.copy()
        for i in np.argsort(-bounds, kind="stable"):
            if bounds[i] < self.best.threshold:
                break
            c = int(options[i])
            allowed[c] = False  # later siblings must not use it as their pivot coverer
            self._extend(
                (*chosen, c),
                covered | int(self.class_masks[c]),
                np.maximum(have, self.class_best[c]),
                have_quality + float(self.class_quality[c]),
                allowed.copy(),
            )

    def _evaluate(self, combo: tuple[int, ...]) -> None:
        """Score the member choices of one class set that could still make the list."""
        strength, quality = self.strength, self.quality
        lists = []
        for c in combo:
            others = [o for o in combo if o != c]
            rest_best = self.class_best[others].max(axis=0, initial=0.0)
            rest_quality = self.class_quality[others].sum()
            cand = self.members[c]
            bound = np.maximum(strength[cand], rest_best).sum(axis=1) + quality[cand] + rest_quality
            lists.append(cand[bound >= self.best.threshold])
            if lists[-1].size == 0:
                return
        self._members((), np.zeros(self.needs), 0.0, lists)

    def _members(
        self, chosen: tuple[int, ...], have: np.ndarray, have_quality: float, lists: list
    ) -> None:
        strength, quality = self.strength, self.quality
        if len(lists) <= 2:
            self._last_two(chosen, have, have_quality, lists)
            return
        head, tail = lists[0], lists[1:]
        rest_best = np.max([strength[t].max(axis=0) for t in tail], axis=0)
        rest_quality = sum(float(quality[t[0]]) for t in tail)
        bounds = (
            np.maximum(np.maximum(have, strength[head]), rest_best).sum(axis=1)
            + have_quality
            + quality[head]
            + rest_quality
        )
        for i in np.argsort(-bounds, kind="stable"):
            if bounds[i] < self.best.threshold:
                break
            x = int(head[i])
            self._members(
                (*chosen, x), np.maximum(have, strength[x]), have_quality + quality[x], tail
            )

    def _last_two(
        self, chosen: tuple[int, ...], have: np.ndarray, have_quality: float, lists: list
    ) -> None:
        strength, quality = self.strength, self.quality
        fixed = np.asarray(chosen, dtype=np.int64)
        if len(lists) == 1:
            (only,) = lists
            scores = np.maximum(have, strength[only]).sum(axis=1) + have_quality + quality[only]
            teams = np.column_stack([np.tile(fixed, (only.size, 1)), only])
            self.best.offer(scores, teams)
            return
        head, tail = lists
        tail_have = np.maximum(have, strength[tail])  # (tail, needs)
        step = max(1, _PRODUCT_CHUNK // tail.size)
        for lo in range(0, head.size, step):
            chunk = head[lo : lo + step]
            scores = (
                np.maximum(strength[chunk][:, None, :], tail_have[None, :, :]).sum(axis=2)
                + have_quality
                + quality[chunk][:, None]
                + quality[tail][None, :]
            )
            teams = np.column_stack(
                [
                    np.tile(fixed, (chunk.size * tail.size, 1)),
                    np.repeat(chunk, tail.size),
                    np.tile(tail, chunk.size),
                ]
            )
            self.best.offer(scores.ravel(), teams)
