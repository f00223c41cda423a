"""Synthetic BAN extracts and police-style queries (tests, demo, benchmark)."""

from gltd.geocode.synthetic.ban import (
    BAN_COLUMNS,
    ORLEANS_COMMUNES,
    SynthAddress,
    SynthCommune,
    departement_extract,
    orleans_extract,
    write_addok_ndjson,
    write_ban_csv,
)
from gltd.geocode.synthetic.queries import (
    Query,
    Scores,
    answer_queries,
    police_queries,
    score_answers,
    score_results,
)

__all__ = [
    "BAN_COLUMNS",
    "ORLEANS_COMMUNES",
    "Query",
    "Scores",
    "SynthAddress",
    "SynthCommune",
    "answer_queries",
    "departement_extract",
    "orleans_extract",
    "police_queries",
    "score_answers",
    "score_results",
    "write_addok_ndjson",
    "write_ban_csv",
]
