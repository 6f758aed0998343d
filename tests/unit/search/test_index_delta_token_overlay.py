"""Keyword postings of changed rows answered by an overlay match a rebuilt keyword index."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa

from core.search.token_index import build_token_index
from core.search.token_overlay import overlaid, words_by_row

WORDS = ["backup", "back", "cloud", "clinic", "wi-fi", "voip", "Veeam", "law", "mesh"]


def _texts(rng: random.Random, n: int) -> list[str]:
    return [" ".join(rng.choices(WORDS, k=rng.randrange(0, 5))) for _ in range(n)]


def test_overlaid_rows_match_as_a_rebuilt_index_would() -> None:
    rng = random.Random(5)
    texts = _texts(rng, 40)
    tokens = build_token_index(pa.array(texts))
    current = list(texts)
    for _ in range(4):  # several rounds: the overlay keeps earlier changes
        changed = {rng.randrange(50): text for text in _texts(rng, 5)}
        grown = max(len(current), max(changed) + 1)
        current += [""] * (grown - len(current))
        for row, text in changed.items():
            current[row] = text
        small = build_token_index(pa.array(list(changed.values())))
        local = words_by_row(small)
        tokens = overlaid(tokens, {r: local.get(i, "") for i, r in enumerate(changed)})
        rebuilt = build_token_index(pa.array(current))
        for query in ["b", "back", "backup", "wi fi", "cl", "veeam law", "zz", "mesh voip"]:
            mine = tokens.match(query, size=len(current))
            theirs = rebuilt.match(query, size=len(current))
            assert mine is not None and theirs is not None
            np.testing.assert_array_equal(mine, theirs, query)
    assert tokens.match("  ", size=len(current)) is None
