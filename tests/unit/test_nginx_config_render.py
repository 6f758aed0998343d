"""deploy/nginx/render.py: the checked-in configuration is the template's rendering, and the
rendering names every process for the pin, the failover and the X-Atlas-Upstream header.
(tests/e2e/test_nginx_two_processes.py runs the rendering in a real nginx.)"""

from __future__ import annotations

import re

import pytest

from deploy.nginx.render import DEFAULT_APPS, RENDERED, main, render


def test_the_checked_in_configuration_is_the_rendered_template() -> None:
    assert RENDERED.read_text() == render(DEFAULT_APPS), (
        "deploy/nginx/atlas.conf is stale: python deploy/nginx/render.py > deploy/nginx/atlas.conf"
    )


def test_three_processes_each_get_a_pin_with_the_others_as_backups() -> None:
    apps = ["10.0.0.1:8501", "10.0.0.2:8501", "10.0.0.3:8501"]
    text = render(apps, listen="8080", access_log="/tmp/a.log")
    assert re.search(r"@[A-Z_]+@", text) is None  # every marker filled in
    assert "listen 8080;" in text
    assert "access_log /tmp/a.log atlas_upstream;" in text
    for i, address in enumerate(apps, start=1):
        assert f"    app{i} atlas_app{i};" in text
        block = text.split(f"upstream atlas_app{i} {{")[1].split("}")[0]
        assert f"server {address};" in block
        assert sorted(line.strip() for line in block.strip().splitlines()[1:]) == sorted(
            f"server {other} backup;" for other in apps if other != address
        )
    assert '"~(^|, )10\\.0\\.0\\.3:8501$" app3;' in text


@pytest.mark.parametrize(
    "apps", [[], ["127.0.0.1:8501", "127.0.0.1:8501"], ["127.0.0.1"], ["a b:1"]]
)
def test_no_processes_a_repeated_one_or_one_without_a_port_are_refused(
    apps: list[str],
) -> None:
    with pytest.raises(ValueError, match="app process"):
        render(apps)


def test_the_command_line_prints_the_rendering(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--listen", "81", "127.0.0.1:9001"]) == 0
    out = capsys.readouterr().out
    assert "listen 81;" in out
    assert "server 127.0.0.1:9001;" in out
    assert main(["nonsense"]) == 2
