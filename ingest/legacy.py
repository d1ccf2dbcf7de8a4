"""Word 97–2003 (.doc) and Excel 97–2003 (.xls) files, converted by LibreOffice to .docx/.xlsx.

LibreOffice (`soffice --headless --convert-to`) was chosen over antiword by measurement (README,
"Other formats"): it keeps Vietnamese text and Word tables as tables, so a converted .doc goes
through the .docx reader unchanged. Each conversion gets its own LibreOffice profile directory,
so conversions running side by side (or beside a user's open LibreOffice) never share a lock.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ingest.blocks import Unreadable

_TIMEOUT = 180  # seconds; a first start of LibreOffice builds its profile and is slow
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of every Word/Excel 97–2003 file
_RTF = b"{\\rtf"  # Word also saved RTF under .doc
# Import filters for OLE2 files: named, so a damaged file fails instead of being read as plain text.
_FILTERS = {"doc": "MS Word 97", "xls": "MS Excel 97"}


def convert_legacy(data: bytes, suffix: str, target: str) -> bytes:
    """The bytes of `data` (a .`suffix` file) converted to .`target` by LibreOffice."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise Unreadable(f".{suffix} files need LibreOffice to convert them, which is not installed "
                         f"(Debian: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui); "
                         f"or save the file as .{target}", "unsupported_legacy")
    if suffix in _FILTERS and not data.startswith(_OLE2) and not (suffix == "doc" and data.startswith(_RTF)):
        raise Unreadable(f"not a Word/Excel 97–2003 .{suffix} file (no OLE2 header)", "unsupported_legacy")
    infilter = [f"--infilter={_FILTERS[suffix]}"] if suffix in _FILTERS and data.startswith(_OLE2) else []
    with tempfile.TemporaryDirectory(prefix="policyqa-legacy-") as tmp:
        work = Path(tmp)
        source = work / f"input.{suffix}"
        source.write_bytes(data)
        cmd = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore", *infilter,
               "--convert-to", target, "--outdir", str(work / "out"), str(source)]
        try:
            subprocess.run(cmd, capture_output=True, timeout=_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise Unreadable(f"LibreOffice took over {_TIMEOUT} s to convert the .{suffix} file",
                             "unsupported_legacy") from exc
        out = work / "out" / f"input.{target}"
        if not out.is_file():
            raise Unreadable(f"LibreOffice could not convert this .{suffix} file (damaged, or not a "
                             f".{suffix} file); save it as .{target} and try again", "unsupported_legacy")
        return out.read_bytes()
