"""addok configuration used by gltd (the national address API's French settings).

Read by addok itself (``ADDOK_CONFIG_MODULE``), not imported by gltd.
"""

# ruff: noqa: N816
QUERY_PROCESSORS_PYPATHS = [
    "addok.helpers.text.check_query_length",
    "addok_france.extract_address",
    "addok_france.clean_query",
]
PROCESSORS_PYPATHS = [
    "addok.helpers.text.tokenize",
    "addok.helpers.text.normalize",
    "addok_france.glue_ordinal",
    "addok_france.fold_ordinal",
    "addok_france.flag_housenumber",
    "addok.helpers.text.synonymize",
    "addok_fr.phonemicize",
]
SEARCH_RESULT_PROCESSORS_PYPATHS = [
    "addok.helpers.results.match_housenumber",
    "addok_france.make_labels",
    "addok.helpers.results.score_by_importance",
    "addok.helpers.results.score_by_autocomplete_distance",
    "addok.helpers.results.score_by_str_distance",
    "addok.helpers.results.score_by_geo_distance",
]
FIELDS = [
    {"key": "name", "boost": 4, "null": False},
    {"key": "street"},
    {"key": "postcode"},
    {"key": "city"},
    {"key": "housenumbers"},
    {"key": "context"},
]
FILTERS = ["type", "postcode", "citycode"]
BATCH_WORKERS = 1
LOG_QUERIES = False
LOG_NOT_FOUND = False
