"""Run `streamlit ...` with every thread profiled by cProfile (py-spy is not available here).

Usage: python bench/load_profiler.py OUT.prof run deploy/serve.py [streamlit flags]

Each new thread gets its own cProfile.Profile on its first call (threading.setprofile); when
the server stops (SIGTERM, as AppServer.stop sends), the profiles are merged into OUT.prof,
readable with ``python -m pstats OUT.prof``. Deterministic profiling slows calls down, so
the times are for proportions, not for figures.
"""

from __future__ import annotations

import atexit
import cProfile
import pstats
import signal
import sys
import threading
from types import FrameType
from typing import Any

PROFILES: list[cProfile.Profile] = []


def _start_in_thread(frame: FrameType, event: str, arg: Any) -> None:
    profile = cProfile.Profile()
    PROFILES.append(profile)
    sys.setprofile(None)
    profile.enable()  # replaces this hook for the current thread


def _dump(path: str) -> None:
    stats: pstats.Stats | None = None
    for profile in PROFILES:
        profile.disable()
        profile.create_stats()
        if not getattr(profile, "stats", None):
            continue
        stats = pstats.Stats(profile) if stats is None else stats.add(profile)  # type: ignore[arg-type]
    if stats is not None:
        stats.dump_stats(path)


def main() -> None:
    out = sys.argv[1]
    sys.argv = ["streamlit", *sys.argv[2:]]
    threading.setprofile(_start_in_thread)
    main_profile = cProfile.Profile()
    PROFILES.append(main_profile)
    atexit.register(_dump, out)
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: FrameType | None) -> None:
        _dump(out)
        if callable(previous):
            previous(signum, frame)
        else:
            sys.exit(0)

    signal.signal(signal.SIGTERM, on_term)
    from streamlit.web.cli import main as streamlit_main

    main_profile.enable()
    streamlit_main()


if __name__ == "__main__":
    main()
