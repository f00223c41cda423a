"""The video-protection import kinds: ``gltd import cameras`` and ``gltd import requisitions``.

Their loaders live with their registers (:mod:`gltd.cctv.inventory.importer`,
:mod:`gltd.cctv.requisitions.importer`), above the import pipeline, which knows only the
kinds of its own layer; the interfaces that import files (CLI, web) add these with
:func:`register_importers`.
"""

from __future__ import annotations

from gltd.ingest.pipeline import register_kind

__all__ = ["IMPORT_KINDS", "register_importers"]

#: Import kind → module implementing the loader.
IMPORT_KINDS = {
    "cameras": "gltd.cctv.inventory.importer",
    "requisitions": "gltd.cctv.requisitions.importer",
}


def register_importers() -> None:
    """Add the camera and requisition loaders to the import pipeline (idempotent)."""
    for kind, module in IMPORT_KINDS.items():
        register_kind(kind, module)
