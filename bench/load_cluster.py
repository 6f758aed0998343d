"""Several app processes behind nginx for bench/load.py (issue 15 item 2).

The processes are ``streamlit run deploy/serve.py`` on the same directory file (bench/load_server.py
launches each); nginx runs with the deployment's configuration (deploy/nginx/local.py), whose
affinity cookie ``atlas_upstream`` keeps each browser context on one process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.load_server import APP_SCRIPT, launch
from deploy.nginx.local import LocalNginx, start_local_nginx
from tests.e2e.conftest import AppServer


@dataclass
class Cluster:
    """What sessions open (one process's URL, or nginx's) and the app processes behind it."""

    url: str
    servers: list[AppServer]
    proxy: LocalNginx | None = None

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        for server in self.servers:
            server.stop()


def launch_cluster(
    database_url: str, log_dir: Path, processes: int, env: dict[str, str] | None = None
) -> Cluster:
    """``processes`` app processes on the same directory file; more than one go behind
    nginx (deploy/nginx/local.py: the deployment's configuration, affinity cookie
    ``atlas_upstream``), as README "Running several processes" describes. Each browser
    context is its own cookie jar, so nginx pins each session to one process."""
    servers: list[AppServer] = []
    try:
        for i in range(processes):
            servers.append(launch(APP_SCRIPT, database_url, log_dir / f"app{i + 1}", extra_env=env))
        if processes == 1:
            return Cluster(servers[0].url, servers)
        addresses = [f"127.0.0.1:{s.port}" for s in servers]
        proxy = start_local_nginx(addresses, log_dir / "nginx")
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return Cluster(proxy.url, servers, proxy)


def served_by(cluster: Cluster) -> dict[str, int]:
    """WebSocket connections per process in nginx's access log (each session's, and one more
    for a page reopened after an error): shows that nginx spread the sessions."""
    if cluster.proxy is None:
        return {}
    counts: dict[str, int] = {}
    for line in cluster.proxy.access_log_lines():
        name = next((w.split("=", 1)[1] for w in line.split() if w.startswith("served_by=")), "")
        if "/_stcore/stream" in line and name:
            counts[name] = counts.get(name, 0) + 1
    return counts
