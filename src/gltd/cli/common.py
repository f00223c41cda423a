"""Shared CLI pieces: the error-handling group, options, console and progress bars."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from typer.core import TyperCommand, TyperGroup

from gltd.cli.french import install as _install_french
from gltd.errors import GltdError, InputError, ValidationFailed

_install_french()

__all__ = [
    "FLAGS",
    "GltdGroup",
    "aliased",
    "check_out_format",
    "period_option",
    "error_text",
    "DbOption",
    "console",
    "err_console",
    "make_progress",
    "db_url",
    "engine_for",
    "warn_identity",
]

console = Console()
err_console = Console(stderr=True)


def warn_identity(fields: dict[str, str | None]) -> None:
    """Warn (stderr, French) when an option's free text looks like a person's identity."""
    from gltd.privacy import field_warning

    for label, text in fields.items():
        w = field_warning(label, text)
        if w:
            err_console.print(f"[yellow]Attention :[/] {w}", highlight=False)


class GltdGroup(TyperGroup):
    """A Typer group that shows a :class:`GltdError` as a message, not a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        # Messages are soft-wrapped: the terminal folds them, Rich inserts no line break,
        # so a file path in a message stays whole for copying.
        except ValidationFailed as exc:
            err_console.print(f"[bold red]Refusé :[/] {exc}", highlight=False, soft_wrap=True)
            for p in exc.problems[:20]:
                err_console.print("  - " + _problem_line(p), highlight=False, soft_wrap=True)
            if len(exc.problems) > 20:
                err_console.print(f"  … et {len(exc.problems) - 20} autres", highlight=False)
            raise typer.Exit(2) from None
        except GltdError as exc:
            err_console.print(
                f"[bold red]Erreur :[/] {error_text(exc)}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(2) from None


def aliased(aliases: dict[str, str]) -> type[TyperCommand]:
    """A command class that still accepts old option spellings, hidden from its help.

    ``aliases`` maps each old spelling to the option it now stands for
    (``{"--start": "--from"}``); ``--start=X`` works as well as ``--start X``.
    """

    class AliasedCommand(TyperCommand):
        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            renamed = []
            for arg in args:
                name, eq, value = arg.partition("=")
                renamed.append(aliases[name] + eq + value if name in aliases else arg)
            return super().parse_args(ctx, renamed)

    return AliasedCommand


#: The file extensions each ``--format`` writes (a format missing here is not checked).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "csv": (".csv",),
    "json": (".json",),
    "geojson": (".geojson", ".json"),
    "gpkg": (".gpkg",),
    "parquet": (".parquet",),
    "html": (".html", ".htm"),
    "pdf": (".pdf",),
    "png": (".png",),
    "tif": (".tif", ".tiff"),
    "xlsx": (".xlsx",),
}


def check_out_format(out: Path | None, fmt: str | None) -> None:
    """Refuse an ``--out`` whose extension says another format than ``--format``.

    A file without an extension, or a format with no file extension of its own
    (``table``, ``list``), is not checked.
    """
    if out is None or not fmt or not out.suffix:
        return
    expected = EXTENSIONS.get(fmt.lower())
    if expected and out.suffix.lower() not in expected:
        raise InputError(
            f"l'extension « {out.suffix} » de {out.name} ne correspond pas à "
            f"--format {fmt} (attendu : {' ou '.join(expected)}) ; changez --out ou --format",
            field="out",
        )


def period_option(date_from: str | None, date_to: str | None, period: str | None) -> str | None:
    """The period ``DEBUT..FIN`` from ``--from``/``--to`` (or the older ``--period``)."""
    if date_from or date_to:
        if period:
            raise InputError("période donnée deux fois (--period et --from/--to)", field="period")
        if not (date_from and date_to):
            raise InputError("premier et dernier jour vont ensemble (inclus)", field="period")
        return f"{date_from}..{date_to}"
    return period


#: The flag of each parameter an error can name (:attr:`gltd.errors.InputError.field`
#: outside a file): the lower layers name the quantity, the CLI adds its flag here.
FLAGS: dict[str, str] = {
    "after": "--after",
    "around": "--around",
    "at": "--at",
    "bandwidth": "--bandwidth",
    "before": "--before",
    "budget": "--budget",
    "buffer": "--buffer",
    "camera": "--camera",
    "candidates": "--candidates",
    "cell": "--cell",
    "control": "--control",
    "cost": "--cost",
    "end": "--to",
    "exact": "--exact",
    "geometry_file": "--file",
    "grid": "--grid",
    "heading": "--heading",
    "intervention": "--intervention",
    "k": "--k",
    "layers": "--layers",
    "paper": "--paper",
    "format": "--format",
    "place": "--wkt, --file, --zone, --camera ou --around",
    "radius": "--radius",
    "request": "--request",
    "rings": "--rings",
    "site": "--at ou --request",
    "sppt_by": "--sppt-by",
    "out": "--out",
    "period": "--from/--to",
    "start": "--from",
    "target": "--intervention, --target ou --around",
    "units": "--units",
    "weights": "--weights",
    "wkt": "--wkt",
}


def error_text(exc: GltdError) -> str:
    """The message of ``exc`` as the CLI prints it: the flag of the parameter at fault first."""
    flag = FLAGS.get(exc.parameter or "") if isinstance(exc, InputError) else None
    return f"{flag} : {exc}" if flag else str(exc)


def _problem_line(p: dict[str, object]) -> str:
    parts = []
    for key, label in (("row", "ligne"), ("field", "colonne"), ("value", "valeur")):
        if p.get(key) not in (None, ""):
            parts.append(f"{label} {p[key]!s}")
    head = ", ".join(parts)
    return f"{head} : {p.get('message', '')}" if head else str(p.get("message", ""))


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Adresse de la base (sqlite:///fichier.db ou postgresql://…). "
        "Par défaut GLTD_DB_URL, sinon sqlite:///gltd.db.",
        envvar="GLTD_DB_URL",
    ),
]


def db_url(db: str | None) -> str:
    """The database URL from the option or the settings.

    The settings are read (and checked) even with ``--db``: outside development a
    missing or weak ``GLTD_SECRET_KEY`` stops every command that opens the database
    before it does any work.
    """
    from gltd.config import get_settings

    settings = get_settings()
    return db or settings.db_url


def engine_for(db: str | None, *, migrate: bool = True, create: bool = False) -> Any:
    """An engine on an up-to-date database (migrations applied when needed).

    A database that does not exist is refused (a mistyped ``--db`` must not leave an
    empty file behind), unless ``create`` (``gltd db upgrade``, ``gltd demo``).
    """
    from gltd.store.engine import database_exists, display_url, get_engine
    from gltd.store.migrate import is_up_to_date, upgrade

    url = db_url(db)
    if not create and not database_exists(url):
        raise GltdError(
            f"base introuvable : {display_url(url)} n'existe pas ; lancez `gltd db upgrade` "
            "pour la créer (ou vérifiez --db / GLTD_DB_URL)"
        )
    if migrate and not is_up_to_date(url):
        upgrade(url)
    return get_engine(url)


def make_progress(*, transient: bool = False) -> Progress:
    """A Rich progress bar on stderr."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=transient,
    )
