"""Attachments are judged by their content, limited in size, and stored under a safe name."""

from __future__ import annotations

import io
import zipfile

import pytest

from scorecard.errors import BadInput
from scorecard.review import MAX_BYTES, check_document
from scorecard.review.documents import safe_filename, sniff

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20


def office(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize("content, kind", [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpg"), (office("word"), "docx"),
                                           (office("xl"), "xlsx"), ("Certificate valid until 2027 – ok\n".encode(),
                                                                    "txt")])
def test_accepted_types_are_recognised_by_their_bytes(content, kind):
    assert sniff(content) == kind
    doc = check_document(f"evidence.{'jpg' if kind == 'jpg' else kind}", content)
    assert doc.kind == kind and doc.size == len(content) and len(doc.sha256) == 64


@pytest.mark.parametrize("content", [b"MZ\x90\x00\x03\x00 an executable", b"\x00\x01\x02 binary", office("other"),
                                     b"PK\x03\x04 not really a zip", b"GIF89a" + b"\x00" * 5])
def test_anything_else_is_refused(content):
    with pytest.raises(BadInput, match="is not a PDF, PNG, JPEG, DOCX, XLSX or plain text file"):
        check_document("upload.pdf", content)


def test_size_and_emptiness():
    with pytest.raises(BadInput, match="the file is empty"):
        check_document("a.pdf", b"")
    with pytest.raises(BadInput, match=r"the file is 10\.0 MB; documents are at most 10 MB"):
        check_document("a.pdf", PDF + b"0" * MAX_BYTES)
    with pytest.raises(BadInput, match="at most 1 MB"):
        check_document("a.pdf", PDF + b"0" * (1024 * 1024), max_bytes=1024 * 1024)
    assert check_document("a.pdf", PDF + b"0" * 1000, max_bytes=1024 * 1024).kind == "pdf"


def test_a_name_that_lies_about_the_content_is_refused():
    with pytest.raises(BadInput, match="named .pdf but its content is PNG"):
        check_document("certificate.pdf", PNG)
    with pytest.raises(BadInput, match="named .docx but its content is XLSX"):
        check_document("sheet.docx", office("xl"))


@pytest.mark.parametrize("raw, kind, safe", [
    ("../../etc/passwd.txt", "txt", "passwd.txt"),
    ("C:\\Users\\me\\ISO 27001 (2025).PDF", "pdf", "ISO 27001 (2025).pdf"),
    ("Zertifikat für Prüfung.pdf", "pdf", "Zertifikat fur Prufung.pdf"),
    ("report\x00.exe", "pdf", "report_.exe.pdf"),
    ("<script>alert(1)</script>.html", "txt", "script_.html.txt"),  # "/" starts a new path part
    ("", "png", "document.png"),
    ("...", "jpg", "document.jpg"),
    ("photo.jpeg", "jpg", "photo.jpeg"),
    ("a" * 300 + ".pdf", "pdf", "a" * 116 + ".pdf"),
])
def test_names_are_sanitised(raw, kind, safe):
    assert safe_filename(raw, kind) == safe
