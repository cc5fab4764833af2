"""A fast path for the big per-minute sheet, and the last pass over the xlsx package.

openpyxl needs about 65 us per cell without lxml: 13 s for the 1.6 million cells of a
20-statement week. So the workbook is built by openpyxl with a placeholder per-minute sheet
(header row, frozen pane, autofilter, column widths), and the finished package is copied once:
the placeholder's rows are replaced by rows generated here in bulk (about 1 us per cell),
streamed into the zip chunk by chunk so memory stays flat.

The same pass writes carriage returns in text as `&#13;`: the XML writer openpyxl uses
leaves them raw, and every XML reader turns a raw CR into LF.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO
from xml.sax.saxutils import escape

import numpy as np

from estimator.export.safe import xlsx_text

CHUNK_ROWS = 50_000
ZipTime = tuple[int, int, int, int, int, int]
_DIMENSION = re.compile(rb"<dimension ref=\"[^\"]*\"\s*/>")
_SHEETDATA_END = b"</sheetData>"
_SHEETDATA_EMPTY = b"<sheetData />"


def col_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def xml_text(value: str) -> str:
    """Text for a <t> element: escaped, CR kept as a character reference."""
    return escape(xlsx_text(value), {"\r": "&#13;"})


def inline_string_cell(value: str, style_id: int) -> str:
    """The part of an inline-string cell after its `r` attribute."""
    text = xml_text(value)
    space = ' xml:space="preserve"' if text != text.strip() or "&#13;" in text else ""
    return f' s="{style_id}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


@dataclass(frozen=True)
class Column:
    """One column of a generated sheet.

    kind "text": `values(lo, hi)` returns the full cell tails (see inline_string_cell).
    kind "int" / "float": `values(lo, hi)` returns a numpy array; non-finite floats are left
    empty (a number cell cannot hold NaN or infinity).
    """

    kind: str
    style_id: int
    values: Callable[[int, int], Sequence[str] | np.ndarray]


def _number_parts(arr: np.ndarray, kind: str) -> list[str]:
    if kind == "int":
        return [f"<v>{v}</v>" for v in arr.astype(np.int64).tolist()]
    values = arr.astype(np.float64)
    parts = [f"<v>{v!r}</v>" for v in values.tolist()]
    bad = ~np.isfinite(values)
    if bad.any():
        for i in np.flatnonzero(bad).tolist():
            parts[i] = ""
    return parts


def generate_rows(columns: Sequence[Column], lo: int, hi: int, first_row: int) -> Iterator[bytes]:
    """XML for data rows lo..hi-1 of the table, written from sheet row `first_row` on."""
    pieces = []
    for j, col in enumerate(columns, start=1):
        letter = col_letter(j)
        if col.kind == "text":
            pieces.append(f'<c r="{letter}{{0}}"{{{j}}}')
        else:
            pieces.append(f'<c r="{letter}{{0}}" s="{col.style_id}">{{{j}}}</c>')
    template = '<row r="{0}">' + "".join(pieces) + "</row>"
    fmt = template.format
    for start in range(lo, hi, CHUNK_ROWS):
        stop = min(hi, start + CHUNK_ROWS)
        parts: list[Sequence[str]] = []
        for col in columns:
            vals = col.values(start, stop)
            if col.kind == "text":
                # A text column yields its cells as ready-made strings.
                parts.append(vals)  # type: ignore[arg-type]
            else:
                parts.append(_number_parts(np.asarray(vals), col.kind))
        rows = range(first_row + start - lo, first_row + stop - lo)
        yield "".join(fmt(r, *cells) for r, *cells in zip(rows, *parts, strict=True)).encode()


@dataclass(frozen=True)
class GeneratedSheet:
    """Rows lo..hi-1 of a table, to replace the rows of a placeholder sheet after its header."""

    path: str  # inside the zip, e.g. xl/worksheets/sheet4.xml
    columns: tuple[Column, ...]
    lo: int
    hi: int
    header_rows: int = 1


def _escape_cr(data: bytes) -> bytes:
    # openpyxl's XML writer escapes CR in attributes but not in text; a raw CR in the
    # document can only be text that must keep its CR.
    return data.replace(b"\r", b"&#13;") if b"\r" in data else data


def _write_generated(
    zout: zipfile.ZipFile, placeholder: bytes, sheet: GeneratedSheet, stamp: ZipTime
) -> None:
    placeholder = _escape_cr(placeholder)
    last_row = sheet.header_rows + (sheet.hi - sheet.lo)
    ref = f"A1:{col_letter(len(sheet.columns))}{last_row}".encode()
    placeholder = _DIMENSION.sub(b'<dimension ref="' + ref + b'" />', placeholder, count=1)
    if _SHEETDATA_END in placeholder:
        head, tail = placeholder.split(_SHEETDATA_END, 1)
    else:
        head, tail = placeholder.split(_SHEETDATA_EMPTY, 1)
        head += b"<sheetData>"
    big = (sheet.hi - sheet.lo) * len(sheet.columns) * 60 > 1 << 30
    info = zipfile.ZipInfo(sheet.path, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zout.open(info, "w", force_zip64=big) as fh:
        fh.write(head)
        for block in generate_rows(
            sheet.columns, sheet.lo, sheet.hi, first_row=sheet.header_rows + 1
        ):
            fh.write(block)
        fh.write(_SHEETDATA_END)
        fh.write(tail)


def finish_package(
    package: bytes,
    target: IO[bytes],
    generated: Sequence[GeneratedSheet] = (),
    stamp: ZipTime = (1980, 1, 1, 0, 0, 0),
) -> None:
    """Copy an openpyxl package to `target`, generating the listed sheets' rows.

    Every entry gets the time `stamp`, so the same estimate and stamp give the same bytes.
    """
    by_path = {g.path: g for g in generated}
    with (
        zipfile.ZipFile(io.BytesIO(package)) as zin,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in by_path:
                _write_generated(zout, data, by_path[info.filename], stamp)
                continue
            if info.filename.endswith((".xml", ".rels")):
                data = _escape_cr(data)
            out = zipfile.ZipInfo(info.filename, date_time=stamp)
            out.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(out, data)
