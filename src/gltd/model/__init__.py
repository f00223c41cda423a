"""ORM classes by subject. Importing this package registers every table."""

from gltd.model.accounts import AGENCY_KINDS, DEFAULT_ROLE, ROLES, Agency, User
from gltd.model.actions import ACTION_STATUSES, Action
from gltd.model.audit import AuditEvent
from gltd.model.base import Base, UTCDateTime, utcnow
from gltd.model.cctv import (
    LEGAL_BASES,
    REQUISITION_STATUSES,
    Camera,
    CameraRequest,
    RelevanceStudy,
    Requisition,
    RequisitionStatusEvent,
    ViewingLogEntry,
    requisition_camera,
)
from gltd.model.geocode import (
    GEOCODE_PRECISIONS,
    GeocodeAddress,
    GeocodeCommune,
    GeocodePostcode,
    GeocodeSource,
    GeocodeStreet,
)
from gltd.model.incidents import ImportBatch, Incident, SsmsiFigure
from gltd.model.operations import (
    INTERVENTION_KINDS,
    OPERATION_KIND_LABELS,
    OPERATION_KINDS,
    Intervention,
    Operation,
    Seizure,
)
from gltd.model.results import AnalysisRun
from gltd.model.sessions import LOGIN_STATUSES, LoginAttempt, WebSession
from gltd.model.zones import ZONE_KINDS, Zone

__all__ = [
    "ACTION_STATUSES",
    "AGENCY_KINDS",
    "GEOCODE_PRECISIONS",
    "INTERVENTION_KINDS",
    "LOGIN_STATUSES",
    "LEGAL_BASES",
    "OPERATION_KINDS",
    "OPERATION_KIND_LABELS",
    "REQUISITION_STATUSES",
    "ROLES",
    "DEFAULT_ROLE",
    "ZONE_KINDS",
    "Action",
    "AnalysisRun",
    "Agency",
    "AuditEvent",
    "Base",
    "Camera",
    "GeocodeAddress",
    "GeocodeCommune",
    "GeocodePostcode",
    "GeocodeSource",
    "GeocodeStreet",
    "CameraRequest",
    "ImportBatch",
    "Incident",
    "Intervention",
    "LoginAttempt",
    "Operation",
    "RelevanceStudy",
    "Requisition",
    "RequisitionStatusEvent",
    "Seizure",
    "SsmsiFigure",
    "UTCDateTime",
    "User",
    "ViewingLogEntry",
    "WebSession",
    "Zone",
    "requisition_camera",
    "utcnow",
]
