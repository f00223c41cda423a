"""Write-then-rename, the one way gltd writes an output file: a failed or interrupted
write never leaves half a file, and an existing file is replaced only by a complete one.

Every output goes through here: documents (bilan, displacement report, relevance study,
near-repeat table), maps and rasters, vector layers, CSV registers and logs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gltd.errors import InputError

__all__ = ["atomic_path", "require_folder", "write_atomic"]


def require_folder(target: str | Path) -> Path:
    """``target`` as a path, after checking that its folder exists (before any long work).

    Raises
    ------
    InputError
        When the folder does not exist (the message names the file).
    """
    path = Path(target)
    if not path.parent.is_dir():
        raise InputError("dossier de sortie introuvable", file=str(path))
    return path


@contextmanager
def atomic_path(target: str | Path, *, parents: bool = False) -> Iterator[Path]:
    """Yield a free temporary path beside ``target``; move it onto ``target`` on success.

    The temporary file does not exist yet (some GDAL drivers refuse to overwrite one), so
    whatever creates it gives it the usual mode (``0666`` less the umask). On error it is
    removed and ``target`` is left as it was. ``parents=True`` creates missing folders;
    otherwise a missing folder raises :class:`~gltd.errors.InputError`.
    """
    path = Path(target)
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        require_folder(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_atomic(target: str | Path, data: bytes | str, *, parents: bool = False) -> Path:
    """Write ``data`` (text is written as UTF-8) to ``target`` in one go; return the path."""
    path = Path(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, parents=parents) as tmp:
        tmp.write_bytes(payload)
    return path
