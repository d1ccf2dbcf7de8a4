"""Who may do what in the app: the login check and the raw upload route.

Login: Gradio calls the check with what was typed. After `free_attempts` wrong passwords for a user name,
further attempts for that name are refused unchecked until a wait has passed (`backoff` seconds,
doubling per further failure up to `backoff_max`); a correct login clears the count. Refusing
instead of sleeping keeps the server's request threads free.

Uploads: a file reaches the index only through the app's upload handler, which moves it out of
Gradio's upload folder. Gradio's raw route (/gradio_api/upload) would otherwise keep any file it
is sent and serve it back to anyone (/gradio_api/file=…) when no login is set; `UploadsNotServed`
refuses to serve any file that route stored, and the app sweeps what its handler never took.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

log = logging.getLogger("policyqa.login")

MAX_TRACKED = 10_000  # user names remembered at once; the oldest are forgotten first


@dataclass(frozen=True)
class _Failures:
    count: int
    not_before: float  # clock time before which this user name is refused unchecked


class ThrottledLogin:
    """`ThrottledLogin(...)(username, password) -> bool`, safe to call from many threads."""

    def __init__(self, user: str, password: str, *, free_attempts: int, backoff: float, backoff_max: float,
                 clock: Callable[[], float] = time.monotonic):
        self._user, self._password = user.encode(), password.encode()
        self.free_attempts, self.backoff, self.backoff_max = free_attempts, backoff, backoff_max
        self._clock = clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> ThrottledLogin:
        return cls(settings.user, settings.password, free_attempts=settings.login_free_attempts,
                   backoff=settings.login_backoff, backoff_max=settings.login_backoff_max)

    def __call__(self, username: str, password: str) -> bool:
        with self._lock:
            now = self._clock()
            failures = self._failures.get(username)
            if failures is not None and now < failures.not_before:
                log.warning("login for %r refused unchecked: %.0f s of back-off left", username,
                            failures.not_before - now)
                return False
            # both comparisons always run, so timing says nothing about which part was wrong
            ok = hmac.compare_digest(username.encode(), self._user) & hmac.compare_digest(password.encode(),
                                                                                         self._password)
            if ok:
                self._failures.pop(username, None)
                return True
            count = (failures.count if failures else 0) + 1
            self._failures[username] = _Failures(count, now + self.wait(count))
            self._failures.move_to_end(username)
            while len(self._failures) > MAX_TRACKED:
                self._failures.popitem(last=False)
            log.warning("wrong login for %r (%d in a row)", username, count)
            return False

    def wait(self, failures: int) -> float:
        """Seconds a user name is refused after `failures` wrong passwords in a row."""
        if failures < self.free_attempts:
            return 0.0
        return min(self.backoff * 2 ** (failures - self.free_attempts), self.backoff_max)


class UploadsNotServed:
    """ASGI middleware: files that arrived through Gradio's raw upload route are never served.

    It records the paths the upload route answers with and refuses (403) any request naming one;
    files the app itself hands out (CSV, exports, originals), which Gradio caches in the same
    folder, are served as usual."""

    def __init__(self, app, limit: int = MAX_TRACKED):
        self.app = app
        self.limit = limit
        self.uploaded: OrderedDict[str, None] = OrderedDict()  # realpaths, oldest first

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = unquote(unquote(scope.get("path", "")))  # the route decodes once, a client may encode twice
        if any(stored in path or stored in os.path.realpath(path.split("file=", 1)[-1])
               for stored in list(self.uploaded)):
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": b"Forbidden"})
            return
        if scope.get("method") == "POST" and path.rstrip("/").endswith("/upload"):
            return await self.app(scope, receive, self._recording(send))
        await self.app(scope, receive, send)

    def _recording(self, send):
        """`send`, noting the stored paths in the upload route's JSON answer."""
        body = bytearray()

        async def wrapped(message):
            if message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if not message.get("more_body"):
                    self._remember(bytes(body))
            await send(message)

        return wrapped

    def _remember(self, body: bytes) -> None:
        try:
            paths = json.loads(body)
        except ValueError:
            return
        for p in paths if isinstance(paths, list) else []:
            if isinstance(p, str):
                self.uploaded[os.path.realpath(p)] = None
                self.uploaded[p] = None
        while len(self.uploaded) > self.limit:
            self.uploaded.popitem(last=False)
