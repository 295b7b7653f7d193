"""The source of an upload as a local file: formats, size limit, sha256, text encoding."""
from __future__ import annotations

import codecs
import hashlib
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from cs_analytics.core import config
from cs_analytics.ingest.errors import IngestRefused

EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}
FORMAT_NAMES = {"csv": "CSV", "tsv": "TSV", "parquet": "Parquet", "xlsx": "Excel .xlsx", "jsonl": "JSON lines"}


def article(noun: str) -> str:
    """'a Parquet', 'an Excel .xlsx'."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun
UPLOAD_TYPES = ["csv", "tsv", "txt", "parquet", "xlsx", "jsonl", "ndjson", "json"]
SNIFF_BYTES = 64 * 1024


@dataclass
class LocalFile:
    """A source as a local file, with what the upload log records."""

    path: Path
    size_bytes: int
    sha256: str
    encoding: str            # 'utf-8' or 'latin-1' (text files)
    head: bytes


def source_name(source: Any) -> str:
    """A display name for a path, an upload (its .name) or bytes."""
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    return str(getattr(source, "name", None) or "upload")


@contextmanager
def materialise(source: Any, file_name: str) -> Iterator[LocalFile]:
    """`source` (path, bytes or file-like) as a local file, with size, sha256 and text encoding.

    Refuses a missing file and one larger than config.MAX_UPLOAD_BYTES.
    """
    limit = config.MAX_UPLOAD_BYTES
    temp_dir = None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise IngestRefused(f"{file_name} was not found.")
        size = path.stat().st_size
        if size > limit:
            raise _too_big(file_name, size, limit)
    else:
        temp_dir = tempfile.mkdtemp(prefix="cs_upload_")
        path = Path(temp_dir) / ("upload" + Path(file_name).suffix.lower()[:12])
        data = source.getvalue() if hasattr(source, "getvalue") else (
            source.read() if hasattr(source, "read") else bytes(source))
        if isinstance(data, str):
            data = data.encode("utf-8")
        if len(data) > limit:
            shutil.rmtree(temp_dir, ignore_errors=True)
            raise _too_big(file_name, len(data), limit)
        path.write_bytes(data)
    try:
        yield inspect_file(path)
    finally:
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)


def _too_big(file_name: str, size: int, limit: int) -> IngestRefused:
    return IngestRefused(
        f"{file_name} is {_human_bytes(size)}, larger than the upload limit of {_human_bytes(limit)} "
        "(set CS_ANALYTICS_MAX_UPLOAD_BYTES to change it).")


def _human_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


def inspect_file(path: Path) -> LocalFile:
    """One pass over the file: size, sha256 and whether it is valid UTF-8."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = 0
    head = b""
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            if not head:
                head = chunk[:SNIFF_BYTES]
            size += len(chunk)
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return LocalFile(path=path, size_bytes=size, sha256=digest.hexdigest(),
                     encoding="utf-8" if utf8 else "latin-1", head=head)


def detect_format(path: Path, file_name: str) -> str:
    """The format by content signature (Parquet, zip/xlsx), else by the file name's extension."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    ext = EXTENSIONS.get(Path(file_name).suffix.lower())
    if magic == b"PAR1":
        return "parquet"
    if magic == b"PK\x03\x04":
        return "xlsx"
    if ext in ("parquet", "xlsx"):
        raise IngestRefused(f"{file_name} is not {article(FORMAT_NAMES[ext])} file (its content does not "
                            f"start like one); export it again or choose the right file.")
    if magic[:3] == b"\xd0\xcf\x11":
        raise IngestRefused(f"{file_name} is an old Excel .xls file; save it as .xlsx or CSV first.")
    return ext or "csv"


def looks_binary(head: bytes) -> bool:
    """NUL bytes or many control characters: not a text file."""
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > max(4, len(head) // 100)
