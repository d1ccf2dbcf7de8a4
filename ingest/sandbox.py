"""Reading files in a separate process bounded in time and memory.

The limits in `ingest.limits` stop the hostile inputs we know of; this stops the ones we do not:
a reader that loops or allocates without end is killed, and costs its file, not the run (or the
app, whose uploads hold the index's writer lock). One worker process (`python -m ingest.sandbox`,
which imports ingest and nothing else) is started on first use and reused for every file, so the
normal case pays one start-up per process and a pipe round trip per file. The worker runs under
RLIMIT_AS (`ingest_memory_mb`; `pdf_memory_mb` for a PDF) and, per file, RLIMIT_CPU
(`ingest_timeout`); the parent waits at most `ingest_timeout` seconds of wall time, then kills
it and starts a fresh one for the next file.

Types read mostly by external programs with their own time limits (readers.EXTERNAL: images by
Tesseract, .doc/.xls by LibreOffice) are read in this process: the worker's address-space limit
would bind those programs too, and its time budget is far below a long scan's. A PDF is read in
the worker, scanned pages and all, under `pdf_memory_mb` (rendering and cleaning one 300-dpi A4
page for Tesseract takes ~700 MB of address space). The OCR options cross as plain data; each page
OCR reads is reported to the parent (for `OcrOptions.progress`) and starts a fresh time budget, so
a 16-page scan runs while a parser that hangs is still stopped; OCR's `max_seconds` bounds the whole.
"""

from __future__ import annotations

import json
import math
import os
import resource
import selectors
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.model import Clause, Document, DocumentMeta, IngestError
from ingest.ocr import OcrOptions
from ingest.pipeline import ingest_file
from ingest.readers import EXTERNAL

_ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 120  # seconds for a worker to import its readers, on a machine under load


@dataclass(frozen=True)
class Outcome:
    """What reading one file came to. `escaped`: the reader raised something other than
    IngestError (a bug, reported to the caller as an "internal" IngestError all the same)."""

    document: Document | None
    error: IngestError | None
    seconds: float
    peak_rss_mb: float  # the worker's peak resident memory while reading this file (0 if unknown)
    escaped: bool = False


class Sandbox:
    """Ingest files in a bounded worker process. Thread-safe (one file at a time); close() or
    use as a context manager to stop the worker, which also exits when this process does."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS):
        self.limits = limits
        self._proc: subprocess.Popen | None = None
        self._pending = bytearray()  # the worker's output read but not yet taken (see _read_line)
        self._lock = threading.Lock()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def ingest(self, path: str | Path, ocr: OcrOptions | None = None) -> Document:
        """The file's document, read where its type is safe to read (module docstring)."""
        if Path(path).suffix.lower() in EXTERNAL:
            return ingest_file(path, ocr, self.limits)
        outcome = self.run(path, ocr)
        if outcome.error is not None:
            raise outcome.error
        return outcome.document

    def run(self, path: str | Path, ocr: OcrOptions | None = None) -> Outcome:
        """Read the file in the worker, whatever its type."""
        path = Path(path)
        with self._lock:
            started = time.perf_counter()
            reply = self._ask(path, ocr or OcrOptions())
            seconds = time.perf_counter() - started
        rss = reply.get("peak_rss_kb", 0) / 1024
        if "document" in reply:
            d = reply["document"]
            document = Document(DocumentMeta.from_dict(d["meta"]), tuple(Clause.from_dict(c) for c in d["clauses"]))
            return Outcome(document, None, seconds, rss)
        e = reply["error"]
        return Outcome(None, IngestError(e["path"], e["reason"], code=e["code"]), seconds, rss, reply.get("escaped", False))

    def close(self) -> None:
        with self._lock:
            self._stop()

    # --- parent side ---

    def _ask(self, path: Path, ocr: OcrOptions) -> dict:
        request = (json.dumps({"path": str(path), "ocr": _plain(ocr)}) + "\n").encode()
        proc = self._worker()
        try:
            proc.stdin.write(request)
            proc.stdin.flush()
        except BrokenPipeError:  # the worker died between files: the file still gets its own try
            self._stop()
            proc = self._worker()
            proc.stdin.write(request)
            proc.stdin.flush()
        try:
            while (line := _read_line(proc, self.limits.ingest_timeout, self._pending)) and "page" in (
                    reply := json.loads(line)):
                if ocr.progress:  # an OCR'd page: its budget starts afresh
                    ocr.progress(*reply["page"])
        except BaseException:  # a callback that raised, Ctrl-C: the rest of this reply must not be the next file's
            self._stop()
            raise
        if line:
            return reply
        self._stop()  # timed out or died: its successor starts clean
        code = proc.returncode
        if line is None or code == -signal.SIGXCPU:
            reason = f"reading took longer than {self.limits.ingest_timeout:g} s (setting 'ingest_timeout')"
            return _error(path, reason, "timeout")
        if code == -signal.SIGKILL:  # the kernel's OOM killer, or someone else
            mb, setting = self.limits.memory_mb(path.suffix.lower())
            reason = f"the reader was killed, probably out of memory (limit {mb} MB, setting {setting!r})"
            return _error(path, reason, "too_large")
        return _error(path, f"the reader crashed (exit status {code})", "internal")

    def _worker(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self._pending.clear()  # a new worker: nothing its predecessor wrote is its reply
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")])}
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "ingest.sandbox", json.dumps(self.limits.to_dict())],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=_ROOT)
            if not _read_line(self._proc, STARTUP_TIMEOUT, self._pending):  # imports are not the file's time
                self._stop()
                raise RuntimeError(f"the ingest worker (python -m ingest.sandbox) did not start in {STARTUP_TIMEOUT} s")
        return self._proc

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass


def _read_line(proc: subprocess.Popen, timeout: float, pending: bytearray) -> bytes | None:
    """One reply line; b"" when the worker died, None when `timeout` seconds passed first. A read
    may bring more than one line (a page's progress and the document): what follows the first
    line stays in `pending` for the next call."""
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while b"\n" not in pending:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                proc.wait()
                return b""
            pending += chunk
    end = pending.index(b"\n") + 1
    line = bytes(pending[:end])
    del pending[:end]
    return line


def _plain(ocr: OcrOptions) -> dict:
    """OCR options as JSON for the worker (the progress callback stays here)."""
    return {"cache_dir": ocr.cache_dir and str(ocr.cache_dir), "max_pages": ocr.max_pages,
            "max_seconds": ocr.max_seconds, "dpi": ocr.dpi, "language": ocr.language}


def _error(path: Path, reason: str, code: str, escaped: bool = False) -> dict:
    return {"error": {"path": str(path), "reason": reason, "code": code}, "escaped": escaped}


_shared: dict[Limits, Sandbox] = {}
_shared_lock = threading.Lock()


def shared(limits: Limits = DEFAULT_LIMITS) -> Sandbox:
    """The process's sandbox for these limits, so every run reuses one worker."""
    with _shared_lock:
        if limits not in _shared:
            _shared[limits] = Sandbox(limits)
        return _shared[limits]


# --- worker side ---


def _peak_rss_kb() -> int:
    """Peak resident memory since the last reset (VmHWM), from /proc."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak_rss() -> None:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        pass


def _arm_cpu(limits: Limits) -> None:
    """Allow `ingest_timeout` more seconds of CPU from now (SIGXCPU past it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = math.ceil(usage.ru_utime + usage.ru_stime + limits.ingest_timeout)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY))


def _serve(limits: Limits) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which then closes our stdin
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever a library prints goes to stderr, never into the replies
    ceiling = max(limits.ingest_memory_mb, limits.pdf_memory_mb) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))  # each file's own budget is set below it
    out.write('{"ready": true}\n')
    out.flush()

    def page_done(done: int, total: int) -> None:
        out.write(json.dumps({"page": [done, total]}) + "\n")
        out.flush()
        _arm_cpu(limits)

    for line in sys.stdin:
        request = json.loads(line)
        path = Path(request["path"])
        plain = request["ocr"]
        ocr = OcrOptions(**{**plain, "cache_dir": plain["cache_dir"] and Path(plain["cache_dir"])}, progress=page_done)
        _arm_cpu(limits)
        memory = limits.memory_mb(path.suffix.lower())[0] * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (memory, ceiling))
        _reset_peak_rss()
        try:
            document = ingest_file(path, ocr, limits)
            reply = {"document": {"meta": document.meta.to_dict(), "clauses": [c.to_dict() for c in document.clauses]}}
        except IngestError as exc:
            reply = _error(Path(exc.path), exc.reason, exc.code)
        except BaseException as exc:  # noqa: BLE001 - an escape is a bug to report, not to crash on
            traceback.print_exc()
            reply = _error(path, f"internal error while reading: {type(exc).__name__}: {exc}", "internal", True)
        reply["peak_rss_kb"] = _peak_rss_kb()
        out.write(json.dumps(reply, ensure_ascii=False) + "\n")
        out.flush()


if __name__ == "__main__":
    try:
        _serve(Limits(**json.loads(sys.argv[1])))
    except BrokenPipeError:  # the parent is gone (killed, say), and with it our reason to run
        os._exit(0)
