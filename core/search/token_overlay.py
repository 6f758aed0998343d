"""Keyword postings of partners changed since the keyword index was built.

Rebuilding the postings of a million partners for one edited description costs seconds;
instead the changed rows' base postings stop counting and a tiny index over just their
new words is consulted beside the base (core.search.deltas keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from core.search.token_index import TokenIndex, build_token_index, split_words


@dataclass(frozen=True)
class OverlaidTokens:
    base: TokenIndex
    stale: np.ndarray  # int64 rows whose base postings no longer count
    overlay: TokenIndex  # postings are positions into overlay_rows
    overlay_rows: np.ndarray  # int64 partner row of each overlay text
    words: dict[int, str]  # row -> its current words (kept to rebuild the overlay)

    @property
    def nbytes(self) -> int:
        return self.base.nbytes + self.overlay.nbytes + self.stale.nbytes

    def match(self, query: str, *, size: int) -> np.ndarray | None:
        """As TokenIndex.match, with the changed rows answered by the overlay."""
        words = split_words(query.lower())
        if not words:
            return None
        result = np.ones(size, dtype=bool)
        for word in set(words):
            hits = np.zeros(size, dtype=bool)
            start, stop = self.base.prefix_range(word)
            hits[self.base.rows[start:stop]] = True
            hits[self.stale] = False
            start, stop = self.overlay.prefix_range(word)
            hits[self.overlay_rows[self.overlay.rows[start:stop]]] = True
            result &= hits
        return result


def words_by_row(tokens: TokenIndex) -> dict[int, str]:
    """Row -> the distinct words the index holds for it (a small index: a delta's)."""
    found: dict[int, list[str]] = {}
    for i, word in enumerate(tokens.vocabulary):
        for row in tokens.rows[tokens.starts[i] : tokens.starts[i + 1]].tolist():
            found.setdefault(row, []).append(word)
    return {row: " ".join(words) for row, words in found.items()}


def overlaid(tokens: TokenIndex | OverlaidTokens, changed: dict[int, str]) -> OverlaidTokens:
    """`tokens` with these rows' words replaced ("" for a row that has none any more)."""
    base = tokens.base if isinstance(tokens, OverlaidTokens) else tokens
    words = dict(tokens.words) if isinstance(tokens, OverlaidTokens) else {}
    words.update(changed)
    rows = np.asarray(sorted(words), dtype=np.int64)
    texts = pa.array([words[int(r)] for r in rows], type=pa.large_string())
    return OverlaidTokens(
        base=base, stale=rows, overlay=build_token_index(texts), overlay_rows=rows, words=words
    )
