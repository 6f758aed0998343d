"""Render deploy/nginx/atlas.conf.template for a list of app processes.

    python deploy/nginx/render.py 127.0.0.1:8501 127.0.0.1:8502 > /etc/nginx/conf.d/atlas.conf
    python deploy/nginx/render.py --listen 8080 --access-log /tmp/atlas.log 127.0.0.1:8501 ...

The processes are named app1, app2, ... in the order given; that name is the browser's pin
(cookie ``atlas_upstream``) and the ``X-Atlas-Upstream`` response header, so keep the order
when adding a process (a reordered list moves pinned browsers, which then start new tabs).
deploy/nginx/atlas.conf is ``render(DEFAULT_APPS)``; tests/unit/test_nginx_config_render.py
keeps the two equal.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

TEMPLATE = Path(__file__).with_name("atlas.conf.template")
RENDERED = Path(__file__).with_name("atlas.conf")
DEFAULT_APPS = ("127.0.0.1:8501", "127.0.0.1:8502")
DEFAULT_ACCESS_LOG = "/var/log/nginx/atlas-access.log"
ADDRESS = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")  # host:port, as nginx's `server`


def app_name(position: int) -> str:
    return f"app{position + 1}"


def _upstreams(apps: Sequence[str]) -> str:
    blocks = ["upstream atlas_app {", *(f"    server {a};" for a in apps), "}"]
    for i, address in enumerate(apps):
        others = [f"    server {a} backup;" for a in apps if a != address]
        blocks += ["", f"upstream atlas_{app_name(i)} {{", f"    server {address};", *others, "}"]
    return "\n".join(blocks)


def render(
    apps: Sequence[str],
    *,
    listen: str = "80",
    server_name: str = "_",
    access_log: str = DEFAULT_ACCESS_LOG,
) -> str:
    """The nginx configuration (http context) for these app processes (``host:port`` each)."""
    if not apps:
        raise ValueError("at least one app process is needed")
    if len(set(apps)) != len(apps) or not all(ADDRESS.match(a) for a in apps):
        raise ValueError(f"app processes must be distinct host:port addresses: {list(apps)}")
    pins = "\n".join(f"    {app_name(i)} atlas_{app_name(i)};" for i in range(len(apps)))
    # The last address nginx tried answered ($upstream_addr lists every one it tried).
    served_by = "\n".join(
        f'    "~(^|, ){re.escape(a)}$" {app_name(i)};' for i, a in enumerate(apps)
    )
    text = TEMPLATE.read_text()
    for marker, value in {
        "@UPSTREAMS@": _upstreams(apps),
        "@PINS@": pins,
        "@SERVED_BY@": served_by,
        "@LISTEN@": listen,
        "@SERVER_NAME@": server_name,
        "@ACCESS_LOG@": access_log,
    }.items():
        text = text.replace(marker, value)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("apps", nargs="*", default=list(DEFAULT_APPS), help="host:port each")
    parser.add_argument("--listen", default="80", help="nginx `listen` (port or address:port)")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--access-log", default=DEFAULT_ACCESS_LOG)
    args = parser.parse_args(argv)
    try:
        text = render(
            args.apps,
            listen=args.listen,
            server_name=args.server_name,
            access_log=args.access_log,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
