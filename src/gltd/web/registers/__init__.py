"""The registers shown by the web app (one class each, served by generic routes)."""

from gltd.web.registers.base import Column, Register
from gltd.web.registers.cctv import (
    CameraRequestsRegister,
    CamerasRegister,
    ViewingLogRegister,
)
from gltd.web.registers.listing import ListSpec
from gltd.web.registers.lists_cctv import CCTV_LISTINGS
from gltd.web.registers.lists_steering import STEERING_LISTINGS
from gltd.web.registers.requisitions import RequisitionsRegister
from gltd.web.registers.steering import ActionsRegister, OperationsRegister

__all__ = ["LISTINGS", "REGISTERS", "Register", "Column", "ListSpec"]

REGISTERS: dict[str, Register] = {
    r.slug: r
    for r in (
        OperationsRegister(),
        CamerasRegister(),
        RequisitionsRegister(),
        ViewingLogRegister(),
        CameraRequestsRegister(),
        ActionsRegister(),
    )
}

#: How each register (by slug) is listed, searched, sorted and exported.
LISTINGS: dict[str, ListSpec] = {**CCTV_LISTINGS, **STEERING_LISTINGS}
assert set(LISTINGS) == set(REGISTERS), "every register has its listing"
