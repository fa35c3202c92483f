"""`fitplay serve`: options, the missing extra, the room limit, and the playground in a real headless Chromium."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from fitplay import cli
from fitplay.cli import build_parser, keyboard_terminal, main
from fitplay.serve import app_command, app_processes, is_loopback

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HAVE_WEB = all(importlib.util.find_spec(m) for m in ("textual_serve", "playwright", "pyte"))
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]


def test_server_options_stay_with_the_server_and_the_rest_go_to_every_tab():
    argv = ["data.csv", "--port", "8765", "--host=0.0.0.0", "--max-sessions", "3", "--init", "-5", "3", "--lr", "0.1"]
    args, app_options = build_parser("serve").parse_known_args(argv)
    assert (args.port, args.host, args.max_sessions, args.lesson) == (8765, "0.0.0.0", 3, False)
    assert app_options == ["data.csv", "--init", "-5", "3", "--lr", "0.1"]
    command = app_command(["my data.csv", "--theme", "[/]"])
    assert command.startswith("exec ") and "'my data.csv'" in command and "'[/]'" in command


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                            ("0.0.0.0", False), ("192.168.1.4", False), ("example.org", False)])
def test_binding_wider_than_this_machine_is_known(host, loopback):
    assert is_loopback(host) is loopback


def test_without_the_web_extra_serve_names_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "textual_serve", None)
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fitplay[web]" in err


def test_standard_input_cannot_be_served(capsys):
    pytest.importorskip("textual_serve")
    assert main(["serve", "-"]) == 2
    assert "cannot be served" in capsys.readouterr().err


def test_bad_playground_options_are_refused_before_serving(capsys, tmp_path):
    pytest.importorskip("textual_serve")
    assert main(["serve", str(tmp_path / "missing.csv")]) == 2
    assert "missing.csv" in capsys.readouterr().err
    with pytest.raises(SystemExit) as ended:
        main(["serve", "--lr", "-1"])
    assert ended.value.code == 2


def test_a_port_in_use_is_one_line():
    pytest.importorskip("textual_serve")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ended = subprocess.run([sys.executable, "-m", "fitplay", "serve", "--port", str(taken.getsockname()[1])],
                               capture_output=True, text=True, timeout=60)
    assert ended.returncode == 2
    assert ended.stderr.splitlines() == [ended.stderr.splitlines()[-1]]  # no "open ... in a browser" before it
    assert ended.stderr.startswith("fitplay: cannot serve on 127.0.0.1 port")
    assert "in use" in ended.stderr


@pytest.mark.parametrize("host", ["no-such-host.invalid", "192.0.2.1", "a" * 300])  # no such name; an address not
def test_an_address_that_cannot_be_served_is_one_line_before_anything_else(host):  # this machine's; not a name
    pytest.importorskip("textual_serve")
    ended = subprocess.run([sys.executable, "-m", "fitplay", "serve", "--host", host, "--port", "8765"],
                           capture_output=True, text=True, timeout=60)
    assert ended.returncode == 2
    assert len(ended.stderr.splitlines()) == 1 and len(ended.stderr) < 200, ended.stderr
    assert ended.stderr.startswith(f"fitplay: cannot serve on {host[:59]}")


def test_the_lesson_is_served_with_its_own_options_checked(capsys):
    pytest.importorskip("textual_serve")
    with pytest.raises(SystemExit) as ended:
        main(["serve", "--lesson", "data.csv"])  # the lesson brings its own data
    assert ended.value.code == 2 and "fitplay lesson" in capsys.readouterr().err


def test_the_web_driver_needs_no_terminal(monkeypatch):
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    monkeypatch.setattr(cli.sys, "stderr", open(os.devnull, "w"))
    keyboard_terminal()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(request):
    """`fitplay serve` on a free port, two tabs at most, in a new folder, with the options of the test's
    parameter (if any); killed at the end if still running."""
    port = free_port()
    tmp_path = Path(tempfile.mkdtemp(prefix="fp"))  # a short path: the save notice fits one line
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path)}
    options = getattr(request, "param", [])
    with open(tmp_path / "server.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "fitplay", "serve", "--port", str(port), "--max-sessions",
                                    "2", *options], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            time.sleep(0.1)
    yield process, f"http://127.0.0.1:{port}/", tmp_path
    if process.poll() is None:
        process.kill()
        process.wait()
    shutil.rmtree(tmp_path)


class Tab:
    """A browser tab on the server, with the terminal it shows rebuilt by pyte from the bytes it receives."""

    def __init__(self, browser, url: str):
        import pyte

        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.page = browser.new_page(viewport={"width": 1200, "height": 760})
        self.page.on("websocket", self._attach)
        self.page.goto(url + "?delay=1")
        self.page.click("#start")
        self.started = time.monotonic()

    def _attach(self, ws) -> None:
        size = parse_qs(urlparse(ws.url).query)
        self.screen.resize(int(size["height"][0]), int(size["width"][0]))
        ws.on("framereceived", self._received)
        ws.on("framesent", self._sent)

    def _received(self, payload) -> None:
        if isinstance(payload, bytes):
            self.stream.feed(payload)

    def _sent(self, payload) -> None:
        if isinstance(payload, str) and payload.startswith('["resize"'):
            width, height = map(int, re.findall(r"\d+", payload))
            self.screen.resize(height, width)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, pattern: str, timeout: float, since: str = "") -> re.Match:
        """Wait until the screen matches pattern (and, if given, differs from since)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(50)  # lets Playwright deliver the frames
            found = re.search(pattern, self.text())
            if found and self.text() != since:
                return found
        raise AssertionError(f"{pattern!r} not on the page after {timeout} s:\n{self.text()}")


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_WEB, reason="needs the web and test extras (textual-serve, playwright, pyte)")
@pytest.mark.skipif(CHROMIUM is None, reason="needs a Chromium browser (Debian: apt-get install chromium)")
def test_the_playground_in_a_browser_tab(server):
    from playwright.sync_api import sync_playwright

    process, url, folder = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        tab = Tab(browser, url)
        before = tab.wait_for(r"(?s)MSE (\d+\.\d+).*q quit", timeout=30)  # panel and footer: the whole screen
        assert time.monotonic() - tab.started < 5, "the playground took more than 5 s to appear after Start"
        tab.page.focus("textarea.xterm-helper-textarea")  # the keyboard goes to the terminal
        first = app_processes(process.pid)
        assert len(first) == 1

        tab.page.keyboard.press("ArrowUp")
        after = tab.wait_for(rf"MSE (?!{re.escape(before[1])}\b)(\d+\.\d+)", timeout=10)
        assert float(after[1]) < float(before[1])  # the line moved up, towards the data

        tab.page.keyboard.press("o")
        first_step = tab.wait_for(r"step ([1-9]\d*)/", timeout=20)[1]
        later_step = tab.wait_for(rf"step (?!{first_step}/)([1-9]\d*)/", timeout=10)[1]
        assert int(later_step) > int(first_step)  # gradient descent animates

        tab.page.keyboard.press("s")  # saved on the server's side, and the tab says where
        tab.wait_for(r"saved /", timeout=10)  # the notice names the files
        assert len(list(folder.glob("fitplay-*.json"))) == 1 and len(list(folder.glob("fitplay-*.svg"))) == 1

        second, third = Tab(browser, url), Tab(browser, url)
        second.wait_for(r"MSE", timeout=30)
        third.wait_for(r"sessions on this server are in use", timeout=10)
        assert len(app_processes(process.pid)) == 2

        tab.page.close()
        assert wait_gone(first), "closing a tab did not end its app"
        left = app_processes(process.pid)
        assert len(left) == 1 and left != first

        process.send_signal(signal.SIGINT)  # the server stops at once, ending the app of the tab still open
        assert process.wait(timeout=10) == 130
        assert wait_gone(left), "the server left an app behind"
        browser.close()


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_WEB, reason="needs the web and test extras (textual-serve, playwright, pyte)")
@pytest.mark.skipif(CHROMIUM is None, reason="needs a Chromium browser (Debian: apt-get install chromium)")
@pytest.mark.parametrize("server", [["--lesson", "--step", "5"]], indirect=True)
def test_the_lesson_in_a_browser_tab(server):
    from playwright.sync_api import sync_playwright

    process, url, _ = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        tab = Tab(browser, url)
        tab.wait_for(r"(?s)Step 5\..*step 5 \(5/9\) goals 0/2.*q quit", timeout=30)
        tab.page.focus("textarea.xterm-helper-textarea")
        tab.page.keyboard.press("o")  # gradient descent on the parabola reaches w = -1.5: a goal ticks
        tab.wait_for(r"goals 1/2", timeout=20)
        browser.close()


def wait_gone(pids: list[int], timeout: float = 10) -> bool:
    """Wait until none of pids is a live process (zombies count as gone)."""
    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    deadline = time.monotonic() + timeout
    while any(map(alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(map(alive, pids))
