"""From an uploaded file's name and bytes to the questions in it, whichever format it is in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assessments.question_banks.gift import parse_gift
from assessments.question_banks.moodle_xml import parse_moodle_xml
from assessments.question_banks.records import BankParseError, ParsedBank

MAX_BANK_BYTES = 2 * 1024 * 1024
GIFT = "gift"
MOODLE_XML = "moodle-xml"
FORMATS = (GIFT, MOODLE_XML)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


@dataclass(frozen=True)
class BankFile:
    """A file read: its format ('' when it could not be told) and what it held."""

    format: str
    parsed: ParsedBank

    @property
    def failed(self) -> bool:
        """True when nothing could be read because the file as a whole is unreadable."""
        return not self.parsed.questions and bool(self.parsed.errors)


def detect_format(name: str, data: bytes) -> str:
    """GIFT or Moodle XML, from the file's extension (.xml; .gift or .txt) or else its start."""
    lowered = name.lower()
    if lowered.endswith(".xml"):
        return MOODLE_XML
    if lowered.endswith((".gift", ".txt")):
        return GIFT
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:100]
    return MOODLE_XML if start.startswith((b"<?xml", b"<quiz")) else GIFT


def _whole_file_error(error: BankParseError, file_format: str = "") -> BankFile:
    return BankFile(file_format, ParsedBank((), (error,)))


def _undecodable(data: bytes, encoding: str = "utf-8-sig") -> BankParseError | None:
    """Where and why ``data`` is not text in ``encoding``; None when it is (or the encoding is
    unknown, which the XML parser then reports)."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        return BankParseError(
            data[: error.start].count(b"\n") + 1,
            f"the file is not {encoding.removesuffix('-sig').upper()} text "
            f"(byte 0x{data[error.start]:02x}): save it as UTF-8 and upload it again",
        )
    except LookupError:
        return None
    return None


def read_bank_file(name: str, data: bytes) -> BankFile:
    """Parse an uploaded bank. Files over ``MAX_BANK_BYTES``, undecodable text and XML that is
    not well-formed are one error for the whole file; otherwise an error per bad question."""
    if len(data) > MAX_BANK_BYTES:
        limit = MAX_BANK_BYTES // 1024 // 1024
        return _whole_file_error(
            BankParseError(
                1,
                f"the file is larger than {limit} MB, the most a question bank may be: split it "
                "into several files",
            )
        )
    file_format = detect_format(name, data)
    if file_format == MOODLE_XML:
        declared = _XML_ENCODING.match(data.lstrip(b"\xef\xbb\xbf"))
        problem = _undecodable(data, declared.group(1).decode() if declared else "utf-8-sig")
        if problem:
            return _whole_file_error(problem, file_format)
        parsed = parse_moodle_xml(data)
    else:
        problem = _undecodable(data)
        if problem:
            return _whole_file_error(problem, file_format)
        parsed = parse_gift(data.decode("utf-8-sig"))
    if not parsed.questions and not parsed.errors:
        kind = "Moodle XML" if file_format == MOODLE_XML else "GIFT"
        return _whole_file_error(
            BankParseError(
                1, f"no questions found: the file is empty or not a {kind} question bank"
            ),
            file_format,
        )
    return BankFile(file_format, parsed)
