"""The explorer served for real by `cop-graph serve` on 127.0.0.1, read with a real HTTP client."""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(cop_graph_bin):
    port = _free_port()
    proc = subprocess.Popen([cop_graph_bin, "serve", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None:
                pytest.fail(f"serve exited: {proc.stderr.read()}")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _get(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), dict(exc.headers)


def test_home_describes_the_dataset_and_links_every_named_query(server):
    status, body, headers = _get(server + "/")
    assert status == 200
    assert "<title>B-Tech Company Community of Practice" in body
    assert re.search(r"<td>cop:RegularSession</td><td>5</td>", body)
    assert 'href="/queries/members-in-year"' in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_a_named_query_runs_with_its_form_values(server):
    status, body, _ = _get(server + "/queries/members-in-year?year=2021")
    assert status == 200
    assert body.count("<tr>") == 13  # header + 12 members
    assert "Telefónica" not in body


def test_a_bad_parameter_is_a_400_with_the_reason_never_a_500(server):
    status, body, _ = _get(server + "/queries/members-in-year?year=%3Cscript%3E")
    assert status == 400
    assert "must be a year such as 2022" in body
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_an_unknown_query_is_a_404(server):
    assert _get(server + "/queries/nope")[0] == 404
