"""nginx in front of local app processes, run by a test or a benchmark, not by the system.

``start_local_nginx(["127.0.0.1:8501", "127.0.0.1:8502"], workdir)`` renders the deployment's
configuration (deploy/nginx/render.py) on a free loopback port and runs Debian's nginx with
it: its own prefix, pid file, logs and temp folders under ``workdir``, in the foreground
(``daemon off``: the caller owns the process and its group), no system site. Stop it with
``LocalNginx.stop()``. tests/e2e/cluster.py uses it; a load benchmark behind nginx can too.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from deploy.nginx.render import app_name, render

START_TIMEOUT_S = 30.0
START_ATTEMPTS = 3  # another process may take the free port between choosing and binding it
POLL_INTERVAL_S = 0.05
TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def find_nginx() -> str | None:
    """Debian's nginx (`apt-get install nginx`), else one on PATH."""
    if Path("/usr/sbin/nginx").is_file():
        return "/usr/sbin/nginx"
    return shutil.which("nginx")


@dataclass
class LocalNginx:
    url: str
    process: subprocess.Popen[bytes]
    workdir: Path
    access_log: Path
    names: dict[str, str]  # app1, app2, ... -> the address it stands for

    def access_log_lines(self) -> list[str]:
        return self.access_log.read_text(errors="replace").splitlines()

    def error_log_tail(self, chars: int = 4000) -> str:
        log = self.workdir / "error.log"
        return log.read_text(errors="replace")[-chars:] if log.exists() else ""

    def stop(self) -> None:
        """Fast shutdown of nginx and its worker (its own process group)."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass


def main_config(workdir: Path, site: Path) -> str:
    """nginx.conf around the rendered site: everything nginx writes stays in ``workdir``."""
    temp_paths = "\n".join(
        f"    {kind}_temp_path {workdir / 'temp' / kind};" for kind in TEMP_KINDS
    )
    # As root, nginx would hand its worker to `nobody`, who may not enter the temp folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {workdir / 'nginx.pid'};\n"
        f"error_log {workdir / 'error.log'} info;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n    access_log off;\n{temp_paths}\n    include {site};\n}}\n"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(POLL_INTERVAL_S)  # a polling interval
    return False


def start_local_nginx(apps: list[str], workdir: Path, executable: str | None = None) -> LocalNginx:
    """nginx balancing ``apps`` (``host:port`` each; app1 is the first) on a free loopback
    port; raises RuntimeError with nginx's own words when it does not start."""
    nginx = executable or find_nginx()
    if nginx is None:
        raise RuntimeError("nginx not found; install it with `apt-get install nginx`")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "temp").mkdir(exist_ok=True)
    access_log = workdir / "access.log"
    site, main = workdir / "atlas.conf", workdir / "nginx.conf"
    output = workdir / "nginx.out"
    last_error = ""
    for _ in range(START_ATTEMPTS):
        port = _free_port()
        site.write_text(render(apps, listen=f"127.0.0.1:{port}", access_log=str(access_log)))
        main.write_text(main_config(workdir, site))
        argv = [nginx, "-p", str(workdir), "-c", str(main), "-e", str(workdir / "error.log")]
        check = subprocess.run([*argv, "-t"], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t rejected the configuration:\n{check.stderr}")
        with output.open("wb") as out:
            process = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        names = {app_name(i): address for i, address in enumerate(apps)}
        local = LocalNginx(f"http://127.0.0.1:{port}", process, workdir, access_log, names)
        if _listening(port, process):
            return local
        local.stop()
        last_error = f"{output.read_text(errors='replace')}\n{local.error_log_tail()}"
    raise RuntimeError(f"nginx did not start:\n{last_error}")
