"""The import pipeline: read → map columns → validate → transform → one transaction.

:func:`import_file` is the one entry point used by the CLI (and the web app). A file
lands whole or not at all:

* any invalid row → nothing is written, :class:`~gltd.errors.ValidationFailed` lists
  every problem (file, row, column, value, expected) and, with ``report``, a CSV of them;
* ``skip_invalid`` → the valid rows are written, the problems go to the report
  (default ``<file>.rejets.csv``) and the rejected rows, as they were, to
  ``<report>.lignes.csv`` beside it (after their row number and, in French, the reason);
* ``dry_run`` → validation only;
* rows already stored (same ``source`` and ``source_ref``) are skipped, so importing the
  same file twice creates no duplicates; an :class:`~gltd.model.ImportBatch` row records
  each import.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from gltd.config import get_settings
from gltd.errors import InputError
from gltd.ingest.dates import DEFAULT_ORDER, date_order
from gltd.ingest.mapping import (
    FieldSpec,
    MappingFile,
    load_mapping_file,
    parse_map_option,
    resolve_columns,
)
from gltd.ingest.readers import RawTable, read_table
from gltd.ingest.validate import ProblemLog, blank
from gltd.model import ImportBatch
from gltd.privacy import column_warnings
from gltd.spreadsheet import safe_frame
from gltd.store.pseudonym import keyed_hmac, keyed_ref
from gltd.taxonomy import Taxonomy, get_taxonomy, normalise_label

__all__ = [
    "KINDS",
    "register_kind",
    "ImportOptions",
    "ImportResult",
    "Context",
    "Prepared",
    "import_file",
    "content_refs",
    "choose_source",
    "columns_source",
    "ProgressFn",
]

#: Import kinds and the module implementing each. The domain packages add theirs with
#: :func:`register_kind` (the video-protection registers: ``gltd.cctv.register_importers``).
KINDS = {
    "zones": "gltd.ingest.zones",
    "incidents": "gltd.ingest.incidents",
    "operations": "gltd.ingest.operations",
    "ssmsi": "gltd.ingest.ssmsi",
}

#: Files with more rows than this get a progress bar.
PROGRESS_MIN_ROWS = 5_000


class ProgressFn(Protocol):
    """Progress callback: ``(stage, advance, total)``."""

    def __call__(self, stage: str, advance: int, total: int) -> None: ...  # noqa: D102


@dataclass
class ImportOptions:
    """What the user asked for (the CLI options)."""

    columns: dict[str, str] = field(default_factory=dict)
    mapping_file: Path | None = None
    crs: str | None = None
    source: str | None = None
    #: Order of the dates: jour-mois (default), mois-jour or iso (see gltd.ingest.dates).
    date_format: str | None = None
    skip_invalid: bool = False
    dry_run: bool = False
    report: Path | None = None
    imported_by: str | None = None
    sheet: str | None = None
    #: SSMSI only: keep these commune codes (all when empty).
    communes: tuple[str, ...] = ()

    @classmethod
    def from_cli(cls, map_option: str | None = None, **kwargs: Any) -> ImportOptions:
        """Options with ``--map`` given as text."""
        return cls(columns=parse_map_option(map_option), **kwargs)


@dataclass
class Context:
    """Everything a loader needs to prepare a file."""

    engine: Engine
    kind: str
    table: RawTable
    columns: dict[str, str]
    log: ProblemLog
    options: ImportOptions
    mapping: MappingFile
    taxonomy: Taxonomy
    source: str
    crs: str | None
    analysis_crs: str
    warnings: list[str] = field(default_factory=list)
    #: ``dmy``, ``mdy`` or ``iso`` (:func:`gltd.ingest.dates.date_order`).
    date_order: str = DEFAULT_ORDER

    def raw(self, fname: str) -> pd.Series:
        """The raw column mapped to field ``fname`` (empty strings when unmapped)."""
        col = self.columns.get(fname)
        if col is None:
            return pd.Series([""] * len(self.table), dtype=object)
        return self.table.frame[col]

    def col(self, fname: str) -> str:
        """Name of the source column of a field (for messages)."""
        return self.columns.get(fname, fname)


@dataclass
class Prepared:
    """Rows ready to write, one per input row (same order); bad ones are dropped later."""

    frame: pd.DataFrame
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportResult:
    """What an import did."""

    kind: str
    file: str
    rows_in: int
    rows_valid: int
    rows_rejected: int
    rows_written: int = 0
    rows_existing: int = 0
    dry_run: bool = False
    batch_id: int | None = None
    report_path: Path | None = None
    rejected_rows_path: Path | None = None
    encoding: str | None = None
    delimiter: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: The problems of the rejected rows (``skip_invalid``): as ``Problem.as_dict``.
    problems: list[dict[str, Any]] = field(default_factory=list)
    #: Source the rows are stored under, and how it was chosen (for the summary).
    source: str = ""
    source_how: str = ""


class Loader(Protocol):
    """What each per-kind module provides (module-level names)."""

    LABEL: str
    FIELDS: tuple[FieldSpec, ...]

    def prepare(self, ctx: Context) -> Prepared: ...  # noqa: D102

    def write(  # noqa: D102
        self, conn: Connection, prepared: Prepared, ctx: Context, batch_id: int, advance: Any
    ) -> tuple[int, int]: ...


def register_kind(kind: str, module: str) -> None:
    """Add an import kind whose loader (the :class:`Loader` protocol) is ``module``."""
    KINDS[kind] = module


def _loader(kind: str) -> ModuleType:
    if kind not in KINDS:
        raise InputError(f"type d'import inconnu : {kind} (attendu : {', '.join(KINDS)})")
    return importlib.import_module(KINDS[kind])


def file_sha256(path: Path) -> str:
    """Plain SHA-256 of a file's bytes: for public reference files only (BAN extracts),
    never for an agency's file (:func:`file_digest`)."""
    return _hexdigest(hashlib.sha256(), path)


def file_digest(path: Path) -> str:
    """Fingerprint of a file: HMAC-SHA256 of its bytes under ``GLTD_SECRET_KEY``.

    Keyed, like every stored value that may derive from a procedure number: a plain
    hash of a one-row file could be brute-forced back to its content.
    """
    return _hexdigest(keyed_hmac(), path)


def _hexdigest(h: Any, path: Path) -> str:
    """``h`` (a hashlib or hmac object) fed the file's bytes by 1 MiB blocks, in hex."""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return str(h.hexdigest())


def legacy_content_ref(text: str) -> str:
    """``h:`` + 24 hex digits of SHA-1: the unkeyed row digest of gltd before 2026-12.

    Never stored any more: :func:`content_refs` stores its keyed HMAC, so that a database
    holding old references can be converted in place (same value as a re-import).
    """
    return "h:" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:24]


def content_refs(ctx: Context, fields: tuple[str, ...]) -> pd.Series:
    """Source references for a file without an id column, derived from row content.

    :func:`gltd.store.pseudonym.keyed_ref` (HMAC under ``GLTD_SECRET_KEY``) of the row
    digest :func:`legacy_content_ref` over the raw values of the mapped ``fields`` (in
    that order, joined by U+001F, spaces trimmed); the k-th repetition of an identical
    row (k ≥ 2) gets ``#k`` appended, so two identical facts in one file stay two facts,
    and re-importing the same file gives the same references.
    """
    parts = [ctx.raw(f).astype("string").fillna("").str.strip() for f in fields if f in ctx.columns]
    if not parts:
        joined = pd.Series([""] * len(ctx.table), dtype="string")
    else:
        joined = parts[0].str.cat(list(parts[1:]), sep="\x1f") if len(parts) > 1 else parts[0]  # type: ignore[arg-type]
    digests = [keyed_ref(legacy_content_ref(v)) for v in joined.to_numpy(dtype=object)]
    refs = pd.Series(digests, dtype=object)
    rank = refs.groupby(refs).cumcount().to_numpy()
    if (rank > 0).any():
        suffixed = [r if k == 0 else f"{r}#{k + 1}" for r, k in zip(digests, rank, strict=True)]
        refs = pd.Series(suffixed, dtype=object)
    return refs


def source_refs(ctx: Context, fields: tuple[str, ...], *, key_ids: bool = False) -> pd.Series:
    """Each row's source reference: the ``id`` column when mapped (blank and repeated
    ids are recorded as problems), else :func:`content_refs` over ``fields``.

    With ``key_ids`` (identifiers that may be procedure numbers), the id is stored as
    :func:`gltd.store.pseudonym.keyed_ref` of ``"id:" + id``, never as such.
    """
    if "id" not in ctx.columns:
        return content_refs(ctx, fields)
    refs = ctx.raw("id").astype("string").fillna("").str.strip()
    ctx.log.add_mask(blank(refs), ctx.col("id"), refs, "un identifiant", "identifiant vide")
    refs = refs.astype(object)
    check_duplicate_ids(ctx, refs)
    if key_ids:
        refs = pd.Series([keyed_ref(f"id:{v}") for v in refs.to_numpy(dtype=object)], dtype=object)
    return refs


def existing_refs(conn: Connection, source: str, column: Any, source_col: Any) -> set[str]:
    """References already stored for a source (rows a re-import must skip)."""
    return {r for (r,) in conn.execute(select(column).where(source_col == source))}


def check_duplicate_ids(ctx: Context, refs: pd.Series, fname: str = "id") -> None:
    """Record rows whose id repeats an earlier row of the same file."""
    dup = refs.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    first_row: dict[Any, int] = {}
    rows = ctx.log.row_numbers
    vals = refs.to_numpy(dtype=object)
    for i, v in enumerate(vals):
        if v not in first_row:
            first_row[v] = int(rows[i])
    for i in np.flatnonzero(dup)[:1000]:
        ctx.log.add_row(
            int(i),
            ctx.col(fname),
            vals[i],
            "un identifiant unique dans le fichier",
            f"identifiant en double (déjà vu ligne {first_row[vals[i]]})",
        )
    ctx.log.bad[dup] = True


def import_file(
    engine: Engine,
    kind: str,
    path: str | Path,
    options: ImportOptions | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Import one file of ``kind`` in one transaction (see the module docstring)."""
    opts = options or ImportOptions()
    loader: Any = _loader(kind)
    p = Path(path)
    table = read_table(p, sheet=opts.sheet, database=engine.url.render_as_string())
    mapping = load_mapping_file(opts.mapping_file) if opts.mapping_file else MappingFile()
    if mapping.kind and mapping.kind != kind:
        raise InputError(
            f"le fichier de correspondance est pour un import « {mapping.kind} », pas « {kind} »",
            file=str(opts.mapping_file),
        )
    explicit = {**mapping.columns, **opts.columns}
    columns = resolve_columns(
        list(table.frame.columns), loader.FIELDS, explicit, file=table.name, kind=kind
    )
    settings = get_settings()
    source, source_how = choose_source(opts, mapping, list(table.frame.columns), kind)
    ctx = Context(
        engine=engine,
        kind=kind,
        table=table,
        columns=columns,
        log=ProblemLog(table.name, table.row_numbers),
        options=opts,
        mapping=mapping,
        taxonomy=get_taxonomy(),
        source=source,
        crs=opts.crs or mapping.crs,
        analysis_crs=settings.analysis_crs,
        date_order=date_order(
            opts.date_format or mapping.date_format,
            where="--date-format" if opts.date_format else "date_format (correspondance)",
        ),
    )
    n = len(table)
    prepared: Prepared = loader.prepare(ctx)
    # Places, not people: free-text columns that look like identities are named.
    for fname in getattr(loader, "FREE_TEXT", ()):
        if fname in ctx.columns:
            ctx.warnings.extend(column_warnings(ctx.raw(fname), ctx.col(fname), table.row_numbers))
    log = ctx.log
    ignored = [c for c in table.frame.columns if c not in set(columns.values())]
    result = ImportResult(
        kind=kind,
        file=str(p),
        rows_in=n,
        rows_valid=n - log.n_bad,
        rows_rejected=log.n_bad,
        dry_run=opts.dry_run,
        encoding=table.encoding,
        delimiter=table.delimiter,
        columns=columns,
        ignored_columns=ignored,
        warnings=ctx.warnings,
        source=source,
        source_how=source_how,
    )
    refs_cols = getattr(loader, "REF_COLUMNS", None)
    if refs_cols is not None and "source_ref" in prepared.frame.columns:
        legacy = default_source(p) if source_how == COLUMNS_SOURCE else None
        kept = warn_other_sources(
            engine, ctx, prepared.frame["source_ref"].loc[~log.bad], *refs_cols, adopt=legacy
        )
        if kept != source:  # this very file imported before, under its file name
            result.source, result.source_how = kept, "nom du fichier, comme ses imports précédents"
            if "source" in prepared.frame.columns:
                prepared.frame["source"] = kept
    if log.n_bad and not opts.skip_invalid:
        if opts.report:
            log.write_report(opts.report)
            result.report_path = opts.report
        raise log.fail(loader.LABEL)
    good = prepared.frame.loc[~log.bad].reset_index(drop=True)
    prepared.frame = good
    if not opts.dry_run:
        total = len(good)
        show = progress if (progress and total > PROGRESS_MIN_ROWS) else None

        def advance(k: int) -> None:
            if show:
                show("écriture", k, total)

        with engine.begin() as conn:
            batch_id = conn.execute(
                insert(ImportBatch)
                .values(
                    kind=kind,
                    filename=p.name,
                    sha256=file_digest(p),
                    rows_in=n,
                    rows_written=0,
                    rows_rejected=log.n_bad,
                    imported_by=opts.imported_by,
                )
                .returning(ImportBatch.id)
            ).scalar_one()
            written, existing = loader.write(conn, prepared, ctx, batch_id, advance)
            conn.execute(
                update(ImportBatch).where(ImportBatch.id == batch_id).values(rows_written=written)
            )
        result.batch_id = batch_id
        result.rows_written = written
        result.rows_existing = existing
    if log.n_bad:
        result.problems = [pr.as_dict() for pr in log.sorted()]
        report = opts.report or p.with_name(p.name + ".rejets.csv")
        log.write_report(report)
        result.report_path = report
        rejected = report.with_name(_strip_csv(report.name) + ".lignes.csv")
        rej = table.frame.loc[log.bad].copy()
        rej.insert(0, "ligne", table.row_numbers[log.bad])
        why = log.reasons()
        rej.insert(1, "motif", [why.get(int(r), "voir le rapport") for r in rej["ligne"]])
        safe_frame(rej).to_csv(rejected, sep=";", index=False, encoding="utf-8-sig")
        result.rejected_rows_path = rejected
    return result


def _strip_csv(name: str) -> str:
    return name[:-4] if name.lower().endswith(".csv") else name


def default_source(path: Path) -> str:
    """A source name from a file name: without extension(s), normalised."""
    stem = path.name
    for suf in reversed(path.suffixes):
        stem = stem[: -len(suf)] if stem.endswith(suf) else stem
    return normalise_label(stem).replace(" ", "_")[:100] or "import"


#: How a source derived from the columns is described.
COLUMNS_SOURCE = "déduite des colonnes du fichier"


def columns_source(kind: str, columns: list[str]) -> str:
    """Source derived from a file's columns: ``colonnes-`` + 10 hex digits of SHA-1 over
    the import kind and the normalised, sorted column names. The successive exports of
    one system have the same columns, whatever their file names, hence the same source."""
    names = sorted({normalise_label(str(c)) for c in columns})
    text = "\x1f".join([kind, *names])
    return "colonnes-" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def choose_source(
    opts: ImportOptions, mapping: MappingFile, columns: list[str], kind: str
) -> tuple[str, str]:
    """The source of an import and how it was chosen: ``--source``, else the mapping file's
    ``source``, else the mapping file's name (a saved mapping is one exporting system),
    else :func:`columns_source` — never the data file's name, which changes every month."""
    if opts.source and opts.source.strip():
        return opts.source.strip()[:100], "--source"
    if mapping.source:
        return mapping.source[:100], "fichier de correspondance"
    if opts.mapping_file is not None:
        return default_source(Path(opts.mapping_file)), "nom du fichier de correspondance"
    return columns_source(kind, columns), COLUMNS_SOURCE


def warn_other_sources(
    engine: Engine,
    ctx: Context,
    refs: pd.Series,
    column: Any,
    source_col: Any,
    *,
    adopt: str | None = None,
) -> str:
    """Warn when references of this file are already stored under another source: the
    same rows would be written twice (give ``--source`` of the earlier import).

    ``adopt``: a source to take over instead (``ctx.source`` is changed) when some of the
    references are stored under it — the file name, which was the default source before
    sources were derived from the columns, so that re-importing the same file after the
    upgrade still writes no duplicate. Returns the source kept.
    """
    if refs.empty:
        return ctx.source
    with engine.connect() as conn:
        others = [
            s for (s,) in conn.execute(select(source_col).distinct()) if s and s != ctx.source
        ]
        hits: list[tuple[int, str]] = []
        for other in others:
            have = existing_refs(conn, other, column, source_col)
            n = int(refs.isin(have).sum()) if have else 0
            if n:
                hits.append((n, other))
    if adopt is not None and any(other == adopt for _, other in hits):
        ctx.source = adopt
        hits = [(n, other) for n, other in hits if other != adopt]
    for n, other in sorted(hits, reverse=True)[:3]:
        ctx.warnings.append(
            f"{n} référence(s) de ce fichier existent déjà sous la source « {other} » : elles "
            f"seront écrites une seconde fois sous « {ctx.source} ». Si c'est le même système, "
            f"importez avec --source {other} (champ « Source » de l'application web)"
        )
    return ctx.source
