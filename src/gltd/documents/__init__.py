"""Documents: one renderer (:mod:`gltd.documents.render`), one French formatting module
(:mod:`gltd.documents.fmt`), one figure helper (:mod:`gltd.documents.figures`) and the
templates of every printed document. Features supply a context and a template name."""

from gltd.documents.render import ENV, FORMATS, html_to_pdf, json_text, render_document

__all__ = ["ENV", "FORMATS", "html_to_pdf", "json_text", "render_document"]
