"""Calendar arithmetic on days for the video-protection modules (from :mod:`gltd.timeutil`)."""

from __future__ import annotations

from gltd.timeutil import add_months, add_years

__all__ = ["add_years", "add_months"]
