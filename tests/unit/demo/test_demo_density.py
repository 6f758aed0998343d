"""Benchmark directories get the demo's activity per partner: campaigns scale with size, and
search result counts stay what a plain radius search finds."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import numpy as np

from core.demo.campaigns import demo_campaigns
from core.demo.leads import WrittenPartners
from core.demo.places import demo_places
from core.demo.searches import _result_counts
from core.geo.distance import haversine_km

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def test_the_demo_size_keeps_the_demo_campaigns() -> None:
    assert demo_campaigns(seed=42, now=NOW, partners=2_000) == demo_campaigns(seed=42, now=NOW)


def test_five_times_the_partners_get_five_times_each_vendors_campaigns() -> None:
    demo = Counter(c.vendor for c in demo_campaigns(seed=42, now=NOW).campaigns)
    book = demo_campaigns(seed=42, now=NOW, partners=10_000)
    bigger = Counter(c.vendor for c in book.campaigns)
    assert bigger == Counter({vendor: 5 * n for vendor, n in demo.items()})
    keys = [(row["vendor"], row["key"]) for row in book.rows]
    assert len(set(keys)) == len(keys)
    assert max(len(key) for _, key in keys) <= 40


def test_search_result_counts_are_what_a_plain_radius_search_finds() -> None:
    places = demo_places()
    rng = np.random.default_rng(7)
    partners, locations = 3_000, 4_000
    rows = rng.integers(0, len(places.lat), locations)
    owner = np.concatenate([np.arange(partners), rng.integers(0, partners, locations - partners)])
    written = WrittenPartners(
        count=partners,
        levels=rng.integers(0, 4, (partners, 17)).astype(np.int8),
        latitude=places.lat[rows] + rng.normal(0, 0.05, locations),
        longitude=places.lon[rows] + rng.normal(0, 0.05, locations),
        owner=owner,
    )
    events = 300
    place = rows[rng.integers(0, locations, events)]  # where partners are, so counts are not 0
    radius = rng.choice([25.0, 80.0, 150.0, 400.0], events)
    need_bits = (1 << rng.integers(0, 17, events)) | (1 << rng.integers(0, 17, events))
    min_level = rng.integers(1, 4, events).astype(np.int8)

    counts = _result_counts(written, places, place, radius, need_bits, min_level)

    for e in range(events):
        here = place[e]
        distance = haversine_km(
            places.lat[here], places.lon[here], written.latitude, written.longitude
        )
        found = np.unique(owner[distance <= radius[e]])
        cols = [j for j in range(17) if need_bits[e] >> j & 1]
        expected = int((written.levels[found][:, cols] >= min_level[e]).all(axis=1).sum())
        assert counts[e] == expected, e
    assert counts.max() > 0
