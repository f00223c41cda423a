"""Importers and exporters: files as agencies export them ⇄ the store.

``read → map columns → validate → transform CRS → one transaction``. The entry points
are :func:`gltd.ingest.pipeline.import_file` (one file of one kind, all or nothing) and
:func:`gltd.export.export_incidents`. The French user guide is ``docs/import.md``.
"""

from gltd.ingest.pipeline import KINDS, ImportOptions, ImportResult, import_file

__all__ = ["KINDS", "ImportOptions", "ImportResult", "import_file"]
