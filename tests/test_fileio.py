"""The one atomic writer: whole file or nothing, usual file mode, missing folder named."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from gltd.errors import InputError
from gltd.fileio import atomic_path, require_folder, write_atomic


def test_write_replaces_whole_file_with_usual_mode(tmp_path: Path) -> None:
    out = tmp_path / "bilan.pdf"
    out.write_bytes(b"old")
    assert write_atomic(out, b"%PDF-new") == out
    assert out.read_bytes() == b"%PDF-new"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask  # not mkstemp's 0600
    write_atomic(out, "texte accentué é")
    assert out.read_text(encoding="utf-8") == "texte accentué é"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bilan.pdf"]


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "carte.png"
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(out) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("rendering failed")
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carte.png"]


def test_missing_folder_is_named_or_created(tmp_path: Path) -> None:
    target = tmp_path / "absent" / "etude.pdf"
    with pytest.raises(InputError, match="dossier de sortie introuvable") as err:
        write_atomic(target, b"x")
    assert str(target) in str(err.value)
    with pytest.raises(InputError):
        require_folder(target)
    assert not target.parent.exists()
    write_atomic(target, b"x", parents=True)
    assert target.read_bytes() == b"x"
