"""`fitplay serve`: the playground in browser tabs through textual-serve, one app process per tab."""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import ipaddress
import os
import shlex
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from fitplay.errors import InputError, shortened

WEB_EXTRA = "pip install 'fitplay[web]'"
SERVER_PID = "FITPLAY_SERVER_PID"
PR_SET_PDEATHSIG = 1
FULL_ROOM = "\r\nfitplay: all {limit} sessions on this server are in use; close a tab or try again later.\r\n"


def load_textual_serve():
    """textual-serve's Server class, or an InputError naming the extra that brings it."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise InputError(f"fitplay serve needs the web extra: {WEB_EXTRA}") from None
    return Server


def app_command(options: Sequence[str]) -> str:
    """The shell command textual-serve starts for each tab (exec: the app is the server's own child, and
    knows it: see follow_server)."""
    argv = ["env", f"{SERVER_PID}={os.getpid()}", sys.executable, "-m", "fitplay", *options]
    return "exec " + shlex.join(argv)


def follow_server() -> None:
    """In an app started by `fitplay serve`: end with the server, even if it is killed (no orphans)."""
    server = os.environ.pop(SERVER_PID, None)
    if server is None:
        return
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if str(os.getppid()) != server:  # the server was gone before the line above
        os.kill(os.getpid(), signal.SIGTERM)


def app_processes(server: int) -> list[int]:
    """The live processes whose parent is the server: one app per open tab (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if parent == str(server) and state != "Z":
            found.append(int(entry.name))
    return found


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(command: str, host: str, port: int, max_sessions: int):
    """A textual-serve Server that refuses tabs past max_sessions and builds the page's URLs from the
    address the browser used (so a server bound to 0.0.0.0 works from other machines)."""
    Server = load_textual_serve()

    class RoomServer(Server):
        sessions = 0
        stopped_by = 0

        async def on_startup(self, app) -> None:
            """Note which signal stops the server, for its exit status."""
            await super().on_startup(app)
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self.stop, signum)

        def stop(self, signum: int) -> None:
            self.stopped_by = signum
            self.request_exit()

        async def on_shutdown(self, app) -> None:
            """Ask every tab's app to quit, so the server stops at once instead of waiting for the tabs."""
            for pid in app_processes(os.getpid()):
                os.kill(pid, signal.SIGTERM)

        async def handle_index(self, request):
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def handle_websocket(self, request):
            if self.sessions >= max_sessions:
                return await refuse(request, max_sessions)
            self.sessions += 1
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions -= 1

    return RoomServer(command, host=host, port=port, title="fitplay")


async def refuse(request, limit: int):
    """Tell the tab the room is full, on its terminal, and close it."""
    from aiohttp import web

    websocket = web.WebSocketResponse()
    await websocket.prepare(request)
    await websocket.send_bytes(FULL_ROOM.format(limit=limit).encode())
    await websocket.close()
    return websocket


def serve(args: argparse.Namespace, options: Sequence[str]) -> int:
    """Serve until ctrl+c (or SIGTERM); the exit status says which. options: the playground options, checked."""
    server = make_server(app_command(options), args.host, args.port, args.max_sessions)
    check_address(args.host, args.port)
    where = f"http://{f'[{args.host}]' if ':' in args.host else args.host}:{args.port}/"
    if not is_loopback(args.host):
        print(f"fitplay: serving on {args.host}: anyone who can reach this machine on port {args.port} can open "
              "a session", file=sys.stderr)
    print(f"fitplay: open {where} in a browser (ctrl+c stops the server)", file=sys.stderr)
    try:
        server.serve()
    except OSError as exc:  # taken since it was checked
        raise refusal(args.host, args.port, exc) from None
    return 128 + server.stopped_by if server.stopped_by else 0


def check_address(host: str, port: int) -> None:
    """Refuse an address this machine cannot listen on (not an address, not its own, or taken) before saying
    where to browse: the server finds out only as it starts, after that line."""
    try:
        for family, kind, protocol, _name, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                                         flags=socket.AI_PASSIVE):
            with socket.socket(family, kind, protocol) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server's own socket
                probe.bind(address)
    except (OSError, UnicodeError) as exc:  # socket.gaierror: no such name; UnicodeError: not a name at all
        raise refusal(host, port, exc) from None


def refusal(host: str, port: int, exc: OSError | UnicodeError) -> InputError:
    return InputError(f"cannot serve on {shortened(host, 60)} port {port}: {getattr(exc, 'strerror', None) or exc}")
