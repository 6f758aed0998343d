"""The app benchmark's server probe: CPU time and memory of a process, read from /proc."""

from __future__ import annotations

import os
import time

from bench.app_server import Sample, measured, server_cpu_s, server_memory_mb, summarise


def busy(seconds: float) -> int:
    total, end = 0, time.process_time() + seconds
    while time.process_time() < end:
        total += 1
    return total


def test_the_cpu_time_of_a_busy_span_is_counted() -> None:
    sample, result = measured(os.getpid(), lambda: busy(0.2))
    assert result > 0
    # /proc counts in clock ticks (10 ms): the span's own CPU time, not the process's total.
    assert 150 <= sample.cpu_ms <= sample.wall_ms + 20
    assert sample.cpu_ms < server_cpu_s(os.getpid()) * 1000


def test_memory_reads_the_resident_size_and_its_peak() -> None:
    memory = server_memory_mb(os.getpid())
    assert 0 < memory["rss_mb"] <= memory["peak_rss_mb"]


def test_summary_gives_percentiles_of_wall_and_server_cpu() -> None:
    samples = [Sample(float(ms), float(ms) / 10, 100.0 + ms) for ms in range(1, 101)]
    summary = summarise(samples)
    assert summary["runs"] == 100
    assert (summary["p50_ms"], summary["p95_ms"], summary["max_ms"]) == (50.5, 95.0, 100.0)
    assert summary["server_cpu_p50_ms"] == 5.0  # median of 0.1 .. 10.0, rounded
    assert summary["server_rss_max_mb"] == 200.0
    assert summarise([]) == {"runs": 0}
