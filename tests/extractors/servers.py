"""Real servers on loopback for the remote-reading tests: an HTTP server that answers range
requests (as object stores and web servers do), and moto's S3 server."""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import threading
from pathlib import Path

_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


class RangeServer(http.server.ThreadingHTTPServer):
    """Serves one folder read-only; counts the bytes of file bodies it sends."""

    daemon_threads = True

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.bytes_sent = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _RangeHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RangeHandler(http.server.BaseHTTPRequestHandler):
    server: RangeServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def _target(self) -> Path | None:
        name = self.path.split("?", 1)[0].lstrip("/")
        path = (self.server.folder / name).resolve()
        if not path.is_file() or self.server.folder.resolve() not in path.parents:
            return None
        return path

    def do_HEAD(self) -> None:
        path = self._target()
        if path is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(path.stat().st_size))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()

    def do_GET(self) -> None:
        path = self._target()
        if path is None:
            self.send_error(404)
            return
        size = path.stat().st_size
        wanted = _RANGE.match(self.headers.get("Range", ""))
        start, end = 0, size - 1
        if wanted:
            start = int(wanted.group(1))
            end = min(int(wanted.group(2)) if wanted.group(2) else size - 1, size - 1)
            if start >= size:
                self.send_error(416)
                return
        with open(path, "rb") as handle:
            handle.seek(start)
            body = handle.read(end - start + 1)
        self.send_response(206 if wanted else 200)
        if wanted:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.write(body)
        with self.server.lock:
            self.server.bytes_sent += len(body)


@contextlib.contextmanager
def range_server(folder: Path):
    server = RangeServer(folder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def s3_server():
    """moto's S3 server on a free loopback port, with credentials only it accepts."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    saved = {key: os.environ.get(key) for key in ("AWS_ACCESS_KEY_ID",
                                                  "AWS_SECRET_ACCESS_KEY")}
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
