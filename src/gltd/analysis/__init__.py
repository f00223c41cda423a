"""Pure analyses: NumPy arrays in, frozen dataclasses out.

This package imports only the scientific stack — never SQLAlchemy, FastAPI or Typer
(a test checks it). The one door from the store is :class:`gltd.analysis.events.EventSet`.
"""

from gltd.analysis.events import EventSet

__all__ = ["EventSet"]
