"""What kind of document an upload is, and the registry of readers that turn each kind into lines.

`FORMATS` is tried in order; the first format whose `detect` accepts the upload reads it. A reader
returns the document's lines, or `Rejected` with a Chinese message (the kinds nianbao cannot read
yet say what to save the file as instead). A new reader plugs in by replacing the refusal of its
kind with a `Format` that reads it, as Word (.docx, `importer.docx`) and PDF (`importer.pdf`) do.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from enum import Enum
from functools import cached_property

from dialogs.parsing import Rejected
from importer import messages as msg
from importer.docx import read_docx
from importer.html import html_to_text
from importer.lines import Line, lines_from_text
from importer.pdf import read_pdf

__all__ = ["FORMATS", "DocumentKind", "Format", "Reader", "Upload", "read_html", "sniff"]

_SNIFF_BYTES = 8192


class DocumentKind(Enum):
    EMPTY = "empty"
    DOCX = "docx"
    DOC = "doc"
    RTF = "rtf"
    ODT = "odt"
    XLSX = "xlsx"
    XLS = "xls"
    OFD = "ofd"
    PDF = "pdf"
    IMAGE = "image"
    ARCHIVE = "archive"
    BINARY = "binary"
    UNDECODABLE = "undecodable"
    MHTML = "mhtml"
    HTML = "html"
    TEXT = "text"


class Upload:
    """An uploaded file as the detectors see it; the decoded text is worked out once, when asked."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data = data
        self.name = name.strip() or msg.UNNAMED_FILE
        self.lower = self.name.lower()
        self.head = data[:_SNIFF_BYTES]

    @property
    def is_zip(self) -> bool:
        return self.data.startswith((b"PK\x03\x04", b"PK\x05\x06"))

    @property
    def is_ole(self) -> bool:
        """.doc, .wps, .xls and .et share the OLE container."""
        return self.data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")

    @cached_property
    def mhtml(self) -> str | None:
        return _mhtml_part(self.data)

    @cached_property
    def text(self) -> str | None:
        return _decode(self.data)


Reader = Callable[[Upload], list[Line] | Rejected]


@dataclass(frozen=True, slots=True)
class Format:
    kind: DocumentKind
    detect: Callable[[Upload], bool]
    read: Reader


def sniff(upload: Upload, formats: tuple[Format, ...]) -> Format:
    """The first format that accepts the upload (the registry ends with plain text, which takes all)."""
    return next(f for f in formats if f.detect(upload))


def _refuse(message: str) -> Reader:
    return lambda upload: Rejected(message.format(name=upload.name))


# --- detectors ----------------------------------------------------------------------------
_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")
_ARCHIVES = (b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _is_docx(u: Upload) -> bool:
    return u.is_zip and (b"word/" in u.data or u.lower.endswith((".docx", ".docm", ".dotx", ".wps")))


def _is_xlsx(u: Upload) -> bool:
    return u.is_zip and (b"xl/" in u.data or u.lower.endswith((".xlsx", ".xlsm", ".et")))


def _is_ofd(u: Upload) -> bool:
    return u.is_zip and (b"OFD.xml" in u.data or u.lower.endswith(".ofd"))


def _is_odt(u: Upload) -> bool:
    return u.is_zip and (b"opendocument.text" in u.data or u.lower.endswith(".odt"))


def _is_image(u: Upload) -> bool:
    if u.data.startswith(_IMAGES) and b"\x00" in u.head:
        return True
    return u.data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8"))


def _has_nul_bytes(u: Upload) -> bool:
    return b"\x00" in u.head and not u.head.startswith(_UTF16_BOMS)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _has_control_characters(u: Upload) -> bool:
    """Binary data that happens to decode (GB18030 accepts almost anything) is full of controls."""
    sample = (u.text or "")[:_SNIFF_BYTES]
    return len(_CONTROL.findall(sample)) > max(2, len(sample) // 100)


_HTML_HINT = re.compile(r"<\s*(!doctype\s+html|html|body|table|tr|td|p|div|h[1-6]|br)\b", re.IGNORECASE)


def _looks_like_html(u: Upload) -> bool:
    if u.lower.endswith((".htm", ".html", ".xhtml", ".shtml")):
        return True
    return _HTML_HINT.search((u.text or "")[:_SNIFF_BYTES]) is not None


# --- readers ------------------------------------------------------------------------------
def read_html(html: str) -> list[Line] | Rejected:
    flattened = html_to_text(html)
    if flattened is None:
        return Rejected(msg.HTML_REJECTED)
    return lines_from_text(flattened)


def _read_mhtml(u: Upload) -> list[Line] | Rejected:
    return read_html(u.mhtml or "")


def _read_html(u: Upload) -> list[Line] | Rejected:
    return read_html(u.text or "")


def _read_text(u: Upload) -> list[Line] | Rejected:
    return lines_from_text(u.text or "")


FORMATS: tuple[Format, ...] = (
    Format(DocumentKind.EMPTY, lambda u: not u.data.strip(), _refuse(msg.EMPTY)),
    Format(DocumentKind.DOCX, _is_docx, lambda u: read_docx(u.data)),
    Format(DocumentKind.XLSX, _is_xlsx, _refuse(msg.EXCEL_FILE)),
    Format(DocumentKind.OFD, _is_ofd, _refuse(msg.OFD_FILE)),
    Format(DocumentKind.ODT, _is_odt, _refuse(msg.WORD_FILE)),
    Format(DocumentKind.ARCHIVE, lambda u: u.is_zip, _refuse(msg.ARCHIVE_FILE)),
    Format(
        DocumentKind.XLS, lambda u: u.is_ole and u.lower.endswith((".xls", ".et")), _refuse(msg.EXCEL_FILE)
    ),
    Format(DocumentKind.DOC, lambda u: u.is_ole, _refuse(msg.WORD_FILE)),
    Format(DocumentKind.RTF, lambda u: u.data.startswith(b"{\\rtf"), _refuse(msg.WORD_FILE)),
    Format(DocumentKind.PDF, lambda u: u.data.lstrip()[:5] == b"%PDF-", lambda u: read_pdf(u.data, u.name)),
    Format(DocumentKind.IMAGE, _is_image, _refuse(msg.IMAGE_FILE)),
    Format(DocumentKind.ARCHIVE, lambda u: u.data.startswith(_ARCHIVES), _refuse(msg.ARCHIVE_FILE)),
    Format(DocumentKind.BINARY, _has_nul_bytes, _refuse(msg.BINARY)),
    Format(DocumentKind.MHTML, lambda u: u.mhtml is not None, _read_mhtml),
    Format(DocumentKind.UNDECODABLE, lambda u: u.text is None, _refuse(msg.UNDECODABLE)),
    Format(DocumentKind.BINARY, _has_control_characters, _refuse(msg.BINARY)),
    Format(DocumentKind.HTML, _looks_like_html, _read_html),
    Format(DocumentKind.TEXT, lambda u: True, _read_text),
)


# --- decoding -----------------------------------------------------------------------------
def _decode(data: bytes) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _mhtml_part(data: bytes) -> str | None:
    """The HTML inside a single-file web page (.mht, a browser's one-file page), or None."""
    head = data[:_SNIFF_BYTES].lower()
    if b"mime-version" not in head or b"multipart/related" not in head:
        return None
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        return None
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset() or "utf-8"
        for encoding in (charset, "utf-8", "gb18030"):
            try:
                return payload.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                continue
    return None
