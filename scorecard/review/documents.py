"""Documents a reviewer attaches to a review: certificates, audit reports, samples.

:func:`check_document` decides from the *content* (its magic bytes), not from the name or
the browser's claim, whether a file is one of the accepted types, and refuses anything
else, anything empty and anything over :data:`MAX_BYTES`. The stored name is sanitised:
no folders, no control characters, nothing but letters, digits and ``._-()`` and spaces,
and the extension the content calls for.

| type | recognised by |
|---|---|
| PDF | ``%PDF-`` at the start |
| PNG | the 8-byte PNG signature |
| JPEG | ``FF D8 FF`` |
| DOCX / XLSX | a ZIP (``PK\\x03\\x04``) holding ``[Content_Types].xml`` and ``word/`` or ``xl/`` |
| TXT | UTF-8 text without NUL or other control characters (tabs and line ends allowed) |
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from scorecard.errors import BadInput

MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 120
TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain; charset=utf-8",
}
EXTENSIONS = {"pdf": ("pdf",), "png": ("png",), "jpg": ("jpg", "jpeg"), "docx": ("docx",), "xlsx": ("xlsx",),
              "txt": ("txt", "text", "log", "md")}
ACCEPTED = "PDF, PNG, JPEG, DOCX, XLSX or plain text"
_UNSAFE = re.compile(r"[^A-Za-z0-9._() -]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class CheckedDocument:
    filename: str
    kind: str          # pdf, png, jpg, docx, xlsx, txt
    media_type: str
    size: int
    sha256: str


def sniff(content: bytes) -> str | None:
    """The kind of ``content`` from its bytes, or None when it is none of the accepted ones."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"PK\x03\x04"):
        return _office(content)
    return "txt" if _is_text(content) else None


def _office(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            names = z.namelist()  # the central directory only: nothing is decompressed
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return None


def _is_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _CONTROL.search(text)


def safe_filename(raw: str | None, kind: str) -> str:
    """A name safe to store and to send back: the last path part, plain characters, the
    extension ``kind`` calls for (an accepted variant of it is kept)."""
    name = unicodedata.normalize("NFKD", str(raw or ""))
    name = name.encode("ascii", "ignore").decode("ascii")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext.lower()
    if ext not in EXTENSIONS[kind]:
        ext = EXTENSIONS[kind][0]
        stem = name
    stem = re.sub(r"_+", "_", stem).strip(" ._")[: MAX_NAME - len(ext) - 1] or "document"
    return f"{stem}.{ext}"


def check_document(filename: str | None, content: bytes, *, max_bytes: int = MAX_BYTES) -> CheckedDocument:
    """Accept ``content`` as a document, or raise BadInput saying why not."""
    if not isinstance(content, (bytes, bytearray)):
        raise BadInput("no file was received")
    content = bytes(content)
    size = len(content)
    if size == 0:
        raise BadInput("the file is empty: choose the document to attach")
    if size > max_bytes:
        raise BadInput(f"the file is {size / 1024 / 1024:.1f} MB; documents are at most "
                       f"{max_bytes // 1024 // 1024} MB")
    kind = sniff(content)
    if kind is None:
        raise BadInput(f"{_shown(filename)} is not a {ACCEPTED} file (judged by its content, not its name)")
    claimed = (str(filename or "").rpartition(".")[2] or "").lower() if "." in str(filename or "") else ""
    known = {e for exts in EXTENSIONS.values() for e in exts}
    if claimed in known and claimed not in EXTENSIONS[kind]:
        raise BadInput(f"{_shown(filename)} is named .{claimed} but its content is {kind.upper()}: "
                       "rename it or attach the right file")
    return CheckedDocument(safe_filename(filename, kind), kind, TYPES[kind], size,
                           hashlib.sha256(content).hexdigest())


def _shown(filename: str | None) -> str:
    name = _CONTROL.sub("", str(filename or "the file"))[:80]
    return repr(name) if filename else "the file"
