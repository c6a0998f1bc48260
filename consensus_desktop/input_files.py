"""Reading the files a user hands to the app: text in any common encoding, JSON, JSON lines.

Every failure is an :class:`~consensus_desktop.errors.InputError` whose one sentence names the
file and, where it helps, the line or byte offset. UTF-8 (with or without a byte-order mark) and
UTF-16 with a byte-order mark (what Windows Notepad saves as "Unicode") are accepted.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from consensus_desktop.errors import InputError, describe_os_error


def read_text(path: Path) -> str:
    """The text of ``path``; a byte-order mark picks UTF-8 or UTF-16, otherwise strict UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(describe_os_error(exc, "read")) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is not {'UTF-16' if encoding == 'utf-16' else 'UTF-8'} text: the byte at "
            f"offset {exc.start} (0x{data[exc.start]:02x}) cannot be decoded; save the file as UTF-8."
        ) from exc


def read_json(path: Path) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path} is not valid JSON: {exc.msg.lower()} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    except RecursionError as exc:
        raise InputError(f"{path} is nested too deeply to be read as JSON.") from exc


def read_json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line of a JSON-lines file."""
    for number, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}, line {number}: not valid JSON ({exc.msg.lower()} at column {exc.colno})."
            ) from exc
        except RecursionError as exc:
            raise InputError(f"{path}, line {number}: nested too deeply to read.") from exc


def text_field(value: object, where: str) -> str:
    """``value`` as a string; numbers and other types are refused with the field's name."""
    if not isinstance(value, str):
        raise InputError(f"{where} must be text, not {kind_of(value)}.")
    return value


def kind_of(value: object) -> str:
    """How a JSON value is named in a message: "a list", "a number", "null"…"""
    if value is None:
        return "null"
    return {
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)
