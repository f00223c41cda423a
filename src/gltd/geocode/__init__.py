"""Offline geocoding of French addresses against the Base Adresse Nationale (BAN)."""
