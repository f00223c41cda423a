"""``gltd`` commands run in-process (Typer's CliRunner), read the way the tests read them."""

from __future__ import annotations

from typer.testing import CliRunner

from gltd.cli.main import app


def gltd_output(*args: str) -> str:
    """The output of ``gltd ARGS``, which must succeed."""
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.output


def gltd(*args: str) -> str:
    """:func:`gltd_output` with its white space folded (one line, single spaces)."""
    r = CliRunner().invoke(app, list(args))
    out = " ".join(r.output.split())
    assert r.exit_code == 0, out
    return out


def gltd_status(args: list[str]) -> tuple[int, str]:
    """Exit code and folded output of ``gltd ARGS``; never a traceback, success or not."""
    r = CliRunner().invoke(app, args)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, " ".join(r.output.split())
