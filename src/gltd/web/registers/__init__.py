"""The registers shown by the web app (one class each, served by generic routes)."""

from gltd.web.registers.base import Column, Register
from gltd.web.registers.cctv import (
    CameraRequestsRegister,
    CamerasRegister,
    ViewingLogRegister,
)
from gltd.web.registers.requisitions import RequisitionsRegister
from gltd.web.registers.steering import ActionsRegister, OperationsRegister

__all__ = ["REGISTERS", "Register", "Column"]

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
