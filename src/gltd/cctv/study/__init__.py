"""Relevance study (*étude de pertinence*) for a proposed camera site.

The analytic part of a camera authorisation file (former R252-3 CSI): recorded crime
around the site by category over the last three years and its trend, the site's rank in
the city, existing coverage, requisitions on nearby cameras, hotspot status, displacement
risk, the evidence base, and a conclusion with its reasons.

The conclusion (favourable, reserved or unfavourable) follows the rule stated in
:mod:`gltd.cctv.study.rule` and ``docs/cctv.md``.

Modules: :mod:`~gltd.cctv.study.data` (the site, incidents around it and in the city),
:mod:`~gltd.cctv.study.surroundings` (hotspot status, existing cameras, requisitions,
past interventions), :mod:`~gltd.cctv.study.rule` (the conclusion rule and the evidence
base) and :mod:`~gltd.cctv.study.relevance` (:func:`relevance_study`, which runs them and
stores the study); the PDF and JSON output is :mod:`gltd.cctv.study_render`.
"""

from __future__ import annotations

from gltd.cctv.study.data import StudySite, latest_data_day, site_lonlat
from gltd.cctv.study.relevance import relevance_study
from gltd.cctv.study.rule import CONCLUSION_RULE, EVIDENCE, VERDICT_LABELS

__all__ = [
    "CONCLUSION_RULE",
    "EVIDENCE",
    "VERDICT_LABELS",
    "StudySite",
    "latest_data_day",
    "relevance_study",
    "site_lonlat",
]
