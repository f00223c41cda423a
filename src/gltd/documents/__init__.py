"""Documents: one renderer (:mod:`gltd.documents.render`), one French formatting module
(:mod:`gltd.documents.fmt`), one figure helper (:mod:`gltd.documents.figures`) and the
templates of every printed document (``templates/``). Features supply a context and a
template name.

The package sits below the features: the bilan (:mod:`gltd.report`), the relevance study
(:mod:`gltd.cctv`), the displacement report and the near-repeat table import it; it
imports none of them. A document's template lives here, beside the others, so that one
environment with one loader finds them all and a package move never loses one.
"""

from gltd.documents.render import ENV, FORMATS, html_to_pdf, json_text, render_document

__all__ = ["ENV", "FORMATS", "html_to_pdf", "json_text", "render_document"]
