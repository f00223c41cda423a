"""Interventions as records: what was done (a closure, a camera, operations), where, and when.

The public face of the package (the CLI, the web application and the displacement
analysis use these):

- :func:`add_intervention`, :func:`list_interventions`, :func:`get_intervention`: the
  register, read as :class:`InterventionInfo` (geometry in the analysis CRS);
- the places an intervention can be given as: a WKT or GeoJSON text or file
  (:func:`parse_geometry_text`, :func:`read_geometry_file`), a zone (by name),
  a camera's field of view (:func:`camera_geometry`), a point
  and a radius (:func:`circle`), or a file path or zone name (:func:`resolve_place`);
- :func:`add_from_options`, :func:`parse_around`, :func:`parse_distances`: the same from
  the text options of a command.

Module: ``service`` (the register and the places).
"""

from __future__ import annotations

from gltd.interventions.service import (
    INTERVENTION_KINDS,
    KIND_LABELS,
    InterventionInfo,
    add_from_options,
    add_intervention,
    camera_geometry,
    circle,
    get_intervention,
    list_interventions,
    parse_around,
    parse_distances,
    parse_geometry_text,
    read_geometry_file,
    resolve_place,
)

__all__ = [
    "InterventionInfo",
    "add_intervention",
    "list_interventions",
    "get_intervention",
    "circle",
    "read_geometry_file",
    "parse_geometry_text",
    "camera_geometry",
    "INTERVENTION_KINDS",
    "KIND_LABELS",
    "parse_around",
    "parse_distances",
    "resolve_place",
    "add_from_options",
]
