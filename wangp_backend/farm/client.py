"""The farm's HTTP API from Blender's side, with the standard library only (Python 3.11 and 3.13).

Every call carries the token (``Authorization: Bearer``); every failure becomes one :class:`FarmError`
whose message a user can act on. Downloads land in a temporary file beside their target and are
checked by size and hash before anyone sees them.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from .wire import API, CHUNK


class FarmError(Exception):
    """The farm could not be reached or refused a call. ``auth`` is True for a wrong token."""

    def __init__(self, message: str, *, auth: bool = False, status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.auth = auth
        self.status = status


class FarmClient:
    def __init__(self, url: str, token: str, *, timeout: float = 30.0) -> None:
        parsed = urllib.parse.urlsplit(url.strip())
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise FarmError(f"The farm URL must look like http://host:port, got {url!r}")
        self.url = url.strip().rstrip("/")
        self._token = token.strip()
        self.timeout = timeout

    def _call(self, method: str, path: str, body: bytes | None = None, *, timeout: float | None = None,
              content_type: str = "application/json") -> Any:
        request = urllib.request.Request(self.url + API + path, data=body, method=method)
        request.add_header("Authorization", f"Bearer {self._token}")
        if body is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                data = response.read()
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc) from exc
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FarmError(f"The farm at {self.url} cannot be reached ({reason})") from exc
        return json.loads(data) if data else None

    def _http_error(self, exc: urllib.error.HTTPError) -> FarmError:
        if exc.code == 401:
            return FarmError("The farm refused the token: copy the token `farm.sh up` printed into the "
                             "add-on preferences (Farm Token)", auth=True, status=401)
        try:
            detail = json.loads(exc.read() or b"{}").get("error", "")
        except (ValueError, OSError):
            detail = ""
        return FarmError(f"The farm answered {exc.code}: {detail or exc.reason}", status=exc.code)

    def _json(self, method: str, path: str, payload: Any = None, *, timeout: float | None = None) -> Any:
        body = json.dumps(payload).encode() if payload is not None else (b"" if method == "POST" else None)
        return self._call(method, path, body, timeout=timeout)

    # --- the API ---

    def info(self, models: bool = True) -> dict[str, Any]:
        """Workers (name, GPU, VRAM, loaded model, current job), the queue and (``models``) the union of
        the workers' catalogs, which is large: the panel's frequent look leaves it out."""
        return self._json("GET", "/info" if models else "/info?models=0")

    def submit(self, job: dict[str, Any]) -> dict[str, Any]:
        """Submit (idempotent by ``job["job_id"]``); returns the job's status, new or as it already was."""
        return self._json("POST", "/jobs", job)

    def status(self, job_id: str) -> dict[str, Any]:
        return self._json("GET", f"/jobs/{urllib.parse.quote(job_id)}")

    def cancel(self, job_id: str) -> dict[str, Any]:
        return self._json("POST", f"/jobs/{urllib.parse.quote(job_id)}/cancel")

    def events(self, since: int, wait_s: float) -> dict[str, Any]:
        """Events after ``since`` (long poll up to ``wait_s``): ``{"seq": last, "events": [...]}``."""
        return self._json("GET", f"/events?since={int(since)}&wait={wait_s:.1f}", timeout=wait_s + self.timeout)

    def has_blob(self, sha: str) -> bool:
        return bool(self._json("GET", f"/blobs/{sha}").get("present"))

    def put_blob(self, path: str, sha: str) -> None:
        with open(path, "rb") as fh:
            data = fh.read()
        self._call("PUT", f"/blobs/{sha}", data, content_type="application/octet-stream")

    def download(self, job_id: str, dest: str, size: int, sha: str) -> None:
        """Fetch a finished job's clip into ``dest``, checked by size and sha256 (``dest`` is removed if not)."""
        request = urllib.request.Request(f"{self.url}{API}/jobs/{urllib.parse.quote(job_id)}/file")
        request.add_header("Authorization", f"Bearer {self._token}")
        digest, got = hashlib.sha256(), 0
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response, open(dest, "wb") as fh:
                while chunk := response.read(CHUNK):
                    digest.update(chunk)
                    got += len(chunk)
                    fh.write(chunk)
        except urllib.error.HTTPError as exc:
            _remove(dest)
            raise self._http_error(exc) from exc
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            _remove(dest)
            raise FarmError(f"Downloading the clip of {job_id} failed ({getattr(exc, 'reason', exc)})") from exc
        if got != size or digest.hexdigest() != sha:
            _remove(dest)
            raise FarmError(f"The clip of {job_id} arrived damaged ({got} of {size} bytes, hash "
                            f"{'matches' if digest.hexdigest() == sha else 'differs'})")


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
