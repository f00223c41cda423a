"""Data out of the store, for QGIS, spreadsheets and other tools: incidents as CSV
(plain or the French Excel convention), GeoJSON, GeoPackage and Parquet.

The French user guide is ``docs/import.md`` (« Exporter »).
"""

from gltd.export.incidents import FORMATS, ExportResult, export_incidents, incidents_frame

__all__ = ["FORMATS", "ExportResult", "export_incidents", "incidents_frame"]
