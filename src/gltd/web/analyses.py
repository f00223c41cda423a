"""Analyses that can be launched from the web app, each adapting one service.

The service does the work (the same code as the CLI and the bilan); this module only
turns form values into its arguments and its result into a stored run and, when there is
one, a downloadable file.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from gltd.errors import GltdError
from gltd.model import CameraRequest, Intervention
from gltd.taxonomy import get_taxonomy
from gltd.timeutil import make_period
from gltd.web.forms import Field
from gltd.web.jobs import JobOutput, Progress

__all__ = ["AnalysisSpec", "ANALYSES"]

FieldsFn = Callable[[Engine], list[Field]]
RunFn = Callable[[Engine, dict[str, Any], Progress, Path], JobOutput]


@dataclass(frozen=True)
class AnalysisSpec:
    """One analysis offered in the web app."""

    kind: str
    label: str
    resource: str
    description: str
    fields: FieldsFn
    run: RunFn


def _cat_field(required: bool = False) -> Field:
    tax = get_taxonomy()
    return Field(
        "categories",
        "Catégories",
        "multiselect",
        required,
        [(c.code, c.label_fr) for c in tax.categories],
        help=(
            "par défaut, les faits liés aux stupéfiants ; Ctrl+clic pour en choisir d'autres"
            if required
            else "aucune : toutes les catégories ; Ctrl+clic pour en choisir plusieurs"
        ),
        default=",".join(tax.drug_codes) if required else None,
    )


def _period_fields(engine: Engine, months: int, what: str) -> list[Field]:
    """« Du » / « Au » set to the ``months`` months up to the latest data of the base."""
    from datetime import timedelta

    from gltd.cctv.study import latest_data_day
    from gltd.timeutil import add_months

    last = latest_data_day(engine)
    first = add_months(last, -months) + timedelta(days=1) if last else None
    return [
        Field(
            "first",
            "Du",
            "date",
            True,
            default=first.isoformat() if first else None,
            help=f"premier jour {what} ; par défaut, les {months} mois jusqu'à la dernière "
            "donnée de la base",
        ),
        Field(
            "last",
            "Au (inclus)",
            "date",
            True,
            default=last.isoformat() if last else None,
            help="dernier jour compris"
            + (f" ; la dernière donnée de la base est du {last:%d/%m/%Y}" if last else ""),
        ),
    ]


def _file(results: Path, kind: str, suffix: str) -> Path:
    return results / f"{kind}-{uuid.uuid4().hex[:12]}{suffix}"


# --- bilan --------------------------------------------------------------------------------


def _bilan_fields(engine: Engine) -> list[Field]:
    return [
        *_period_fields(engine, 6, "du bilan"),
        Field(
            "compare",
            "Comparer à",
            "select",
            True,
            [
                ("previous-year", "même période de l'année précédente"),
                ("previous-period", "période précédente de même durée"),
            ],
            help="l'année précédente neutralise les saisons ; la période précédente suit "
            "l'évolution récente",
            default="previous-year",
        ),
        Field(
            "edition",
            "Édition",
            "select",
            False,
            [
                ("complete", "complète"),
                ("presse", "presse (deux pages)"),
            ],
            help="complète : tous les tableaux, cartes et méthodes ; presse : chiffres clés, "
            "évolutions significatives, une carte, la mise en garde — les mêmes chiffres",
            default="complete",
        ),
        Field(
            "format",
            "Format",
            "select",
            True,
            [("pdf", "PDF"), ("html", "HTML")],
            help="PDF à diffuser ; HTML à relire à l'écran",
            default="pdf",
        ),
    ]


def _bilan_run(engine: Engine, v: dict[str, Any], progress: Progress, results: Path) -> JobOutput:
    from gltd.web import integrations

    return integrations.run_bilan(engine, v, progress, results)


# --- displacement -------------------------------------------------------------------------


def _interventions(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Intervention.id, Intervention.name, Intervention.started_on).order_by(
                Intervention.started_on
            )
        ).all()
    return [(str(r.id), f"{r.name} ({r.started_on:%d/%m/%Y})") for r in rows]


def _displacement_fields(engine: Engine) -> list[Field]:
    return [
        Field(
            "intervention_id",
            "Intervention",
            "select",
            True,
            _interventions(engine),
            help="la zone et la date de début de l'intervention étudiée (registre des actions)",
        ),
        Field(
            "before",
            "Durée avant / après",
            "select",
            True,
            [("3M", "3 mois"), ("6M", "6 mois"), ("1y", "1 an")],
            help="la même durée est comptée avant et après le début ; 6 mois par défaut",
            default="6M",
        ),
        Field(
            "buffer",
            "Largeur de la zone tampon (m)",
            "float",
            True,
            min=50,
            max=2000,
            help="l'anneau autour de la zone où un déplacement des faits est cherché ; "
            "250 m par défaut (Bowers et Johnson)",
            default="250",
        ),
        _cat_field(),
    ]


def _displacement_run(
    engine: Engine, v: dict[str, Any], progress: Progress, results: Path
) -> JobOutput:
    from gltd.displacement import render_map_png, run_displacement, write_report
    from gltd.fileio import write_atomic

    progress(0, 3, "comptages avant / après")
    rep = run_displacement(
        engine,
        intervention_id=int(v["intervention_id"]),
        before=v["before"],
        buffer=float(v["buffer"]),
        categories=v.get("categories") or None,
        seed=0,
        store=False,
    )
    progress(2, 3, "rapport")
    out = _file(results, "deplacement", ".html")
    write_report(rep, "html", out)
    # The run page shows the report's own map beside its measures.
    png = write_atomic(_file(results, "deplacement-carte", ".png"), render_map_png(rep))
    return JobOutput({**rep.as_dict(), "map_file": png.name}, out.name)


# --- relevance study ----------------------------------------------------------------------


def _requests(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(CameraRequest.id, CameraRequest.origin, CameraRequest.received_on).order_by(
                CameraRequest.id
            )
        ).all()
    return [
        ("", "— un point saisi ci-dessous —"),
        *((str(r.id), f"demande n° {r.id} ({r.origin}, {r.received_on:%d/%m/%Y})") for r in rows),
    ]


def _relevance_fields(engine: Engine) -> list[Field]:
    from gltd.cctv.study import latest_data_day

    last = latest_data_day(engine)
    return [
        Field(
            "as_of",
            "Date de l'étude",
            "date",
            help="les faits des trois ans avant ce jour ; par défaut, la dernière donnée"
            + (f" de la base ({last:%d/%m/%Y})" if last else ""),
            default=last.isoformat() if last else None,
        ),
        Field(
            "request_id",
            "Demande de caméra",
            "select",
            options=_requests(engine),
            help="l'étude est rattachée à la demande et placée en son lieu",
        ),
        Field(
            "lat",
            "ou latitude",
            "float",
            min=-90,
            max=90,
            help="sans demande : le lieu en degrés WGS84 (ex. 47,9025)",
        ),
        Field("lon", "et longitude", "float", min=-180, max=180, help="ex. 1,9090"),
        Field(
            "radius",
            "Rayon (m)",
            "float",
            True,
            min=10,
            max=1000,
            default="100",
            help="les faits comptés autour du site ; 100 m par défaut",
        ),
        _cat_field(),
    ]


def _relevance_run(
    engine: Engine, v: dict[str, Any], progress: Progress, results: Path
) -> JobOutput:
    """The study of ``gltd cctv study``: the same service, the same PDF."""
    from gltd.cctv.study import latest_data_day, relevance_study
    from gltd.cctv.study_render import write_study

    progress(0, 3, "étude de pertinence")
    rid = int(v["request_id"]) if v.get("request_id") else None
    if rid is None and (v.get("lat") is None or v.get("lon") is None):
        raise GltdError("choisissez une demande de caméra ou saisissez latitude et longitude")
    res = relevance_study(
        engine,
        request_id=rid,
        lat=None if rid else v["lat"],
        lon=None if rid else v["lon"],
        radius=float(v["radius"]),
        as_of=v.get("as_of") or latest_data_day(engine),
        categories=v.get("categories") or None,
        store=True,
        by=v.get("_by"),
    )
    progress(2, 3, "document PDF")
    out = write_study(res, "pdf", _file(results, "etude-pertinence", ".pdf"))
    return JobOutput(res, out.name)


# --- near-repeat and siting (services written by other modules) ---------------------------


def _near_repeat_fields(engine: Engine) -> list[Field]:
    return [
        *_period_fields(engine, 12, "des faits étudiés"),
        _cat_field(required=True),
        Field(
            "permutations",
            "Permutations",
            "select",
            True,
            [("99", "99 (rapide, seuil 1 %)"), ("999", "999 (plus précis, plus long)")],
            help="tirages de Monte-Carlo du test de Knox ; 99 suffit pour un premier regard",
            default="99",
        ),
    ]


def _near_repeat_run(
    engine: Engine, v: dict[str, Any], progress: Progress, results: Path
) -> JobOutput:
    from gltd.web import integrations

    return integrations.run_near_repeat(engine, v, progress, results)


def _siting_fields(engine: Engine) -> list[Field]:
    from datetime import timedelta

    from gltd.cctv.study import latest_data_day
    from gltd.timeutil import add_years

    last = latest_data_day(engine)
    first = add_years(last, -1) + timedelta(days=1) if last else None
    return [
        Field(
            "first",
            "Faits du",
            "date",
            True,
            default=first.isoformat() if first else None,
            help="par défaut, les douze mois jusqu'à la dernière donnée de la base",
        ),
        Field(
            "last",
            "au (inclus)",
            "date",
            True,
            default=last.isoformat() if last else None,
            help="dernier jour compris",
        ),
        Field(
            "n_sites",
            "Nombre de caméras à placer",
            "int",
            True,
            min=1,
            max=50,
            default="5",
            help="les sites sont choisis un à un, chacun couvrant le plus de faits restants",
        ),
        Field(
            "radius",
            "Rayon couvert (m)",
            "float",
            True,
            min=10,
            max=500,
            default="100",
            help="portée utile d'une caméra ; 100 m par défaut",
        ),
        _cat_field(),
    ]


def _siting_run(engine: Engine, v: dict[str, Any], progress: Progress, results: Path) -> JobOutput:
    from gltd.web import integrations

    return integrations.run_siting(engine, v, progress, results)


ANALYSES: dict[str, AnalysisSpec] = {
    s.kind: s
    for s in (
        AnalysisSpec(
            "bilan",
            "Bilan du GLTD",
            "bilan",
            "Le bilan périodique (PDF ou HTML) avec comparaisons et tests, en édition complète "
            "ou presse.",
            _bilan_fields,
            _bilan_run,
        ),
        AnalysisSpec(
            "near_repeat",
            "Répétitions proches (Knox)",
            "analyses",
            "Test de Knox par bandes de distance et de temps (Ratcliffe).",
            _near_repeat_fields,
            _near_repeat_run,
        ),
        AnalysisSpec(
            "displacement",
            "Déplacement / diffusion",
            "analyses",
            "Mesures de Bowers et Johnson, test WDD, SPPT autour d'une intervention.",
            _displacement_fields,
            _displacement_run,
        ),
        AnalysisSpec(
            "relevance",
            "Étude de pertinence d'une caméra",
            "analyses",
            "Faits autour du site sur trois ans, couverture existante, conclusion.",
            _relevance_fields,
            _relevance_run,
        ),
        AnalysisSpec(
            "siting",
            "Implantation de caméras",
            "analyses",
            "Choix de sites maximisant les faits couverts (MCLP, Church et ReVelle 1974).",
            _siting_fields,
            _siting_run,
        ),
    )
}


def period_of(v: dict[str, Any]) -> Any:
    """The period of form fields ``first`` and ``last``."""
    return make_period(v["first"], v["last"])
