"""Decompression bombs are refused with the figures, in seconds, under 1 GB of memory.

Each import runs in a child process (``gltd import``) whose peak memory is read from
its own ``VmHWM``; the child's address space is capped so that a regression fails the test
instead of exhausting the machine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook

GB = 1024**3
_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))
from typer.testing import CliRunner
from gltd.cli.main import app
try:
    r = CliRunner().invoke(app, sys.argv[1:])
    code, out = r.exit_code, r.output
except MemoryError:
    code, out = -1, "MemoryError"
# VmHWM, not getrusage: ru_maxrss survives execve, so a child of a large pytest
# process would report the parent's peak, not its own.
with open("/proc/self/status") as fh:
    peak = next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmHWM:"))
print(json.dumps({"code": code, "out": " ".join(out.split()), "peak": peak}))
"""


def _import(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, int, float]:
    """Exit code, output, peak RSS (bytes) and seconds of ``gltd import ARGS`` in a child."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, "import", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    elapsed = time.monotonic() - started
    assert proc.stdout.strip(), proc.stderr[-2000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    return res["code"], res["out"], res["peak"], elapsed


def _gzip_bomb(path: Path, inflated: int) -> None:
    """A .csv.gz of ``inflated`` bytes: a header then empty lines, as repeated gzip
    members (a gzip file may hold several; readers concatenate them)."""
    block = b"\n" * (64 * 1024 * 1024)
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    member = comp.compress(block) + comp.flush()
    head = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as fh:
        fh.write(head.compress(b"id;date;categorie;lon;lat\n") + head.flush())
        for _ in range(inflated // len(block)):
            fh.write(member)


def test_a_csv_gz_bomb_is_refused_quickly_in_bounded_memory(
    sqlite_url: str, tmp_path: Path
) -> None:
    bomb = tmp_path / "faits.csv.gz"
    _gzip_bomb(bomb, 2 * GB)
    assert bomb.stat().st_size < 5 * 1024 * 1024
    code, out, peak, elapsed = _import("incidents", str(bomb), "--db", sqlite_url)
    assert code == 2, out
    assert "fichier trop gros : contenu décompressé de 201 Mo au moins" in out
    assert "au plus 200 Mo acceptés (réglage GLTD_IMPORT_MAX_MB)" in out
    assert peak < 1 * GB, peak
    assert elapsed < 60, elapsed


def _xlsx_with_far_cell(path: Path, row: int | None, col: int = 1) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "date", "categorie", "lon", "lat"])
    ws.append(["X1", "01/05/2018 10:00", "trafic", 1.90, 47.90])
    ws.append(["X2", "02/05/2018 23:10", "usage", 1.93, 47.914])
    if row is not None:
        ws.cell(row=row, column=col, value="x")
    wb.save(path)


def test_an_xlsx_bomb_is_refused_before_reading(sqlite_url: str, tmp_path: Path) -> None:
    bomb = tmp_path / "faits.xlsx"
    _xlsx_with_far_cell(bomb, 1_048_576, 16_384)
    assert bomb.stat().st_size < 10_000
    code, out, peak, elapsed = _import("incidents", str(bomb), "--db", sqlite_url)
    assert code == 2, out
    assert "tableau trop grand : 1 048 576 lignes × 16 384 colonnes" in out
    assert "au plus 5 000 000 acceptées (réglage GLTD_IMPORT_MAX_CELLS)" in out
    assert peak < 1 * GB, peak
    assert elapsed < 60, elapsed


def test_an_xlsx_of_repeated_shared_strings_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    """Millions of shared strings inflating from a few hundred kilobytes (openpyxl would
    load them all before reading a single cell)."""
    bomb = tmp_path / "faits.xlsx"
    _xlsx_with_far_cell(bomb, None)
    with zipfile.ZipFile(bomb) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    n = 3_000_000
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si><t>a</t></si>" * n
        + b"</sst>"
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert bomb.stat().st_size < 500_000
    code, out, peak, elapsed = _import("incidents", str(bomb), "--db", sqlite_url)
    assert code == 2, out
    assert "la partie « xl/sharedStrings.xml » se décompresse" in out
    assert "fichier piégé ou corrompu ?" in out
    assert peak < 1 * GB and elapsed < 60, (peak, elapsed)


def test_a_declared_huge_dimension_alone_is_not_refused(sqlite_url: str, tmp_path: Path) -> None:
    """The extent is counted from the cells, not from the sheet's declared dimension."""
    f = tmp_path / "faits.xlsx"
    _xlsx_with_far_cell(f, None)
    with zipfile.ZipFile(f) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    huge, n = re.subn(r'<dimension ref="A1:E3"\s*/>', '<dimension ref="A1:XFD1048576"/>', sheet)
    assert n == 1, sheet[:400]
    parts["xl/worksheets/sheet1.xml"] = huge.encode()
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    code, out, _, _ = _import("incidents", str(f), "--db", sqlite_url, "--dry-run")
    assert code == 0, out
    assert "2 ligne(s) lue(s), 2 valide(s)" in out


def _shapefile_zip_bomb(path: Path, lie: bool) -> None:
    """A zip of a shapefile whose .dbf inflates to 150 Mo of zeros; with ``lie``, the
    archive declares 1 000 bytes for it."""
    inflated = 150 * 1024 * 1024
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zones.shp", b"\x00\x00\x27\x0a" + b"\x00" * 96)
        zf.writestr("zones.dbf", bytes(inflated))
    if lie:
        data = bytearray(path.read_bytes())
        size = inflated.to_bytes(4, "little")
        for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            at = data.index(sig, data.index(sig) + 4)  # the second member, zones.dbf
            assert data[at + offset : at + offset + 4] == size
            data[at + offset : at + offset + 4] = (1000).to_bytes(4, "little")
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("lie", [False, True])
def test_a_shapefile_zip_bomb_is_refused(sqlite_url: str, tmp_path: Path, lie: bool) -> None:
    bomb = tmp_path / "zones.zip"
    _shapefile_zip_bomb(bomb, lie)
    assert bomb.stat().st_size < 1024 * 1024
    env = {"GLTD_IMPORT_MAX_MB": "100"}
    code, out, peak, elapsed = _import("zones", str(bomb), "--db", sqlite_url, env=env)
    assert code == 2, out
    if lie:
        assert "archive corrompue : membre « zones.dbf » illisible" in out
    else:
        assert "somme des tailles déclarées (archive zip) de 150 Mo" in out
        assert "au plus 100 Mo acceptés" in out
    assert peak < 1 * GB and elapsed < 60
    assert list(tmp_path.glob("**/zones.dbf")) == []


def test_a_csv_with_too_many_cells_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    f = tmp_path / "faits.csv"
    header = ";".join(["id", "date", "categorie", "lon", "lat"] + [f"c{i}" for i in range(995)])
    f.write_text(header + "\n" + (";" * 999 + "\n") * 6000, encoding="utf-8")
    code, out, _, _ = _import("incidents", str(f), "--db", sqlite_url)
    assert code == 2, out
    assert "tableau trop grand : 6 001 lignes × 1 000 colonnes = 6 001 000 cellules" in out


def test_a_plain_file_over_the_limit_is_refused_before_reading(
    sqlite_url: str, tmp_path: Path
) -> None:
    f = tmp_path / "faits.csv"
    f.write_text("id;date;categorie;lon;lat\n" + "1;01/05/2018;trafic;1.9;47.9\n" * 80_000)
    assert f.stat().st_size > 2 * 1024 * 1024
    code, out, _, _ = _import(
        "incidents", str(f), "--db", sqlite_url, env={"GLTD_IMPORT_MAX_MB": "1"}
    )
    assert code == 2, out
    assert "fichier trop gros : fichier de 2 Mo au moins, au plus 1 Mo acceptés" in out
