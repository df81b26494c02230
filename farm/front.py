"""The farm's HTTP API: a plain standard-library server on the head, in front of the dispatcher.

Token authentication is required on every route (``Authorization: Bearer <token>``, compared in
constant time), and it binds where the admin says (``127.0.0.1`` unless told otherwise; never all
interfaces by default). Inputs are uploaded as content-addressed blobs into ``data_dir/blobs``;
finished clips are served from where the dispatcher recorded them.

Routes (under ``/v1``): ``GET info``, ``POST jobs``, ``GET jobs/<id>``, ``POST jobs/<id>/cancel``,
``GET jobs/<id>/file``, ``GET events?since=N&wait=S``, ``GET|PUT blobs/<sha256>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from wangp_backend.farm.wire import API, CHUNK

#: The longest long poll the front grants.
MAX_WAIT_S = 30.0
_SHA = re.compile(r"^[0-9a-f]{64}$")
_JOB = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")


class Backend(Protocol):
    """The dispatcher's API (the :class:`farm.dispatcher.Dispatcher` itself, or a proxy to its Ray actor)."""

    def submit(self, payload: dict[str, Any]) -> tuple[dict[str, Any], bool]: ...
    def cancel(self, job_id: str) -> dict[str, Any] | None: ...
    def status(self, job_id: str) -> dict[str, Any] | None: ...
    def events(self, since: int, wait_s: float) -> dict[str, Any]: ...
    def info(self) -> dict[str, Any]: ...
    def result_path(self, job_id: str) -> str: ...


def blob_path(data_dir: str, sha: str) -> str:
    return os.path.join(data_dir, "blobs", sha)


class FarmFront:
    """The HTTP server; :meth:`start` serves on a thread, :attr:`url` says where."""

    def __init__(self, backend: Backend, token: str, data_dir: str, host: str = "127.0.0.1", port: int = 0) -> None:
        if not token:
            raise ValueError("the farm's HTTP front needs a token")
        self.backend, self.token, self.data_dir = backend, token, data_dir
        os.makedirs(os.path.join(data_dir, "blobs"), exist_ok=True)
        handler = type("Handler", (_Handler,), {"front": self})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FarmFront:
        self._thread = threading.Thread(target=self.server.serve_forever, name="farm-front", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    front: FarmFront
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet: a long poll every few seconds would flood the head's log."""

    def _send_json(self, code: int, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, code: int, message: str) -> None:
        self._send_json(code, {"error": message})

    def _authorised(self) -> bool:
        given = self.headers.get("Authorization", "")
        expected = f"Bearer {self.front.token}"
        if hmac.compare_digest(given.encode(), expected.encode()):
            return True
        # Drain what the client sent, so it reads our answer rather than a reset connection.
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._error(401, "a valid token is required")
        return False

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _route(self, method: str) -> None:
        if not self._authorised():
            return
        parsed = urllib.parse.urlsplit(self.path)
        if not parsed.path.startswith(API + "/"):
            self._error(404, "unknown route")
            return
        parts = parsed.path[len(API) + 1:].split("/")
        query = urllib.parse.parse_qs(parsed.query)
        backend = self.front.backend
        try:
            if method == "GET" and parts == ["info"]:
                info = backend.info()
                if query.get("models", ["1"])[0] == "0":
                    info.pop("models", None)  # the panel's frequent look needs no catalog
                self._send_json(200, info)
            elif method == "GET" and parts == ["events"]:
                since = int(query.get("since", ["0"])[0])
                wait = min(MAX_WAIT_S, max(0.0, float(query.get("wait", ["0"])[0])))
                self._send_json(200, backend.events(since, wait))
            elif method == "POST" and parts == ["jobs"]:
                payload = json.loads(self._body() or b"{}")
                if not _JOB.match(str(payload.get("job_id", ""))) or not isinstance(payload.get("request"), dict):
                    self._error(400, "a job needs a job_id and a request")
                    return
                status, created = backend.submit(payload)
                self._send_json(201 if created else 200, {**status, "created": created})
            elif len(parts) >= 2 and parts[0] == "jobs" and _JOB.match(parts[1]):
                self._job(method, parts[1], parts[2:])
            elif len(parts) == 2 and parts[0] == "blobs" and _SHA.match(parts[1]):
                self._blob(method, parts[1])
            else:
                self._error(404, "unknown route")
        except (ValueError, KeyError, TypeError) as exc:
            self._error(400, f"bad request: {exc}")

    def _job(self, method: str, job_id: str, rest: list[str]) -> None:
        backend = self.front.backend
        if method == "GET" and not rest:
            status = backend.status(job_id)
        elif method == "POST" and rest == ["cancel"]:
            self._body()
            status = backend.cancel(job_id)
        elif method == "GET" and rest == ["file"]:
            self._file(backend.result_path(job_id))
            return
        else:
            self._error(404, "unknown route")
            return
        if status is None:
            self._error(404, f"no job {job_id} on this farm")
        else:
            self._send_json(200, status)

    def _file(self, path: str) -> None:
        if not path or not os.path.isfile(path):
            self._error(404, "no finished clip for this job")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(os.path.getsize(path)))
        self.end_headers()
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                self.wfile.write(chunk)

    def _blob(self, method: str, sha: str) -> None:
        path = blob_path(self.front.data_dir, sha)
        if method == "GET":
            self._send_json(200, {"present": os.path.isfile(path)})
            return
        if method != "PUT":
            self._error(404, "unknown route")
            return
        data = self._body()
        if hashlib.sha256(data).hexdigest() != sha:
            self._error(400, "the upload does not match its sha256")
            return
        tmp = f"{path}.{threading.get_ident()}.part"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        self._send_json(201, {"present": True})

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._route("PUT")
