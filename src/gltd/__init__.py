"""gltd — analysis and steering tool for a Groupe Local de Traitement de la Délinquance."""

__version__ = "0.1.0"
