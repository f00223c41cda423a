"""addok, the engine of the national address API, behind the same interface (optional).

Install with ``pip install 'gltd[addok]'`` (addok, addok-fr, addok-france) and give it a
Redis server (Debian's ``redis-server``): ``REDIS_SOCKET`` (a Unix socket) or
``REDIS_HOST``/``REDIS_PORT``, addok's own variables. :func:`index_files` loads BAN files
(CSV or addok ndjson) into Redis with the configuration of the national API (French
phonemisation, ordinals, house numbers); :class:`AddokGeocoder` answers like
:class:`gltd.geocode.match.Geocoder`, with the same rule: the commune of the result must
agree with the input's commune or postcode, or the row is refused.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from gltd.errors import GltdError
from gltd.geocode.ban import BanData, read_ban_file
from gltd.geocode.match import GeocodeResult
from gltd.geocode.normalise import commune_key, fold, parse_address, parse_number

__all__ = ["available", "configure", "index_files", "AddokGeocoder", "MIN_SCORE"]

#: addok score below which the answer is refused.
MIN_SCORE = 0.6
CONFIG_FILE = Path(__file__).with_name("addok_conf.py")


def available() -> bool:
    """addok and its French plugins are installed (checked without importing them: addok
    reads ``REDIS_*`` when first imported)."""
    return all(
        importlib.util.find_spec(m) is not None for m in ("addok", "addok_fr", "addok_france")
    )


def configure() -> Any:
    """Load addok's configuration (once) with gltd's French settings; return it."""
    if not available():
        raise GltdError(
            "addok n'est pas installé : pip install 'gltd[addok]' (et un serveur Redis, "
            "paquet Debian redis-server)"
        )
    os.environ.setdefault("ADDOK_CONFIG_MODULE", str(CONFIG_FILE))
    from addok.config import config

    with contextlib.redirect_stdout(io.StringIO()):  # addok prints its plugins
        config.load()
    return config


def ban_documents(data: BanData) -> Iterator[dict[str, Any]]:
    """addok documents (one per street, its numbers inside) from a BAN file."""
    by_street = data.addresses.groupby("street", sort=True)
    groups = {int(str(k)): g for k, g in by_street}
    for i, st in enumerate(data.streets.itertuples(index=False)):
        numbers: dict[str, dict[str, Any]] = {}
        g = groups.get(i)
        if g is not None:
            for num, rep, ban_id, lon, lat in g[
                ["numero", "rep", "ban_id", "lon", "lat"]
            ].itertuples(index=False, name=None):
                key = f"{num}{' ' + rep.lower() if rep else ''}"
                numbers[key] = {"id": ban_id, "lon": float(lon), "lat": float(lat)}
        yield {
            "id": f"{st.code_insee}_{i}",
            "type": "street",
            "name": st.nom_voie,
            "postcode": st.code_postal,
            "citycode": st.code_insee,
            "city": st.nom_commune,
            "lon": float(st.lon),  # type: ignore[arg-type]
            "lat": float(st.lat),  # type: ignore[arg-type]
            "importance": 0.5,
            "housenumbers": numbers,
        }


def index_files(paths: Sequence[str | Path], *, reset: bool = True) -> int:
    """Load BAN files into addok's Redis (single process); return the streets indexed."""
    config = configure()
    from addok.batch import process_documents
    from addok.db import DB
    from addok.ds import DS

    if reset:
        DB.flushdb()
        DS.flushdb()
    config.INDEX_EDGE_NGRAMS = False  # no autocomplete: geocoding only
    n = 0
    for path in paths:
        data = read_ban_file(path)
        chunk: list[str] = []
        for doc in ban_documents(data):
            chunk.append(json.dumps(doc, ensure_ascii=False))
            if len(chunk) >= 1000:
                process_documents(*chunk)
                n += len(chunk)
                chunk = []
        if chunk:
            process_documents(*chunk)
            n += len(chunk)
    return n


class AddokGeocoder:
    """Geocode with addok; same answers and rules as :class:`~gltd.geocode.match.Geocoder`."""

    def __init__(self) -> None:
        configure()
        from addok.core import search

        self._search = search

    def __enter__(self) -> AddokGeocoder:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def geocode(
        self,
        address: object,
        *,
        postcode: object = None,
        city: object = None,
        housenumber: object = None,
    ) -> GeocodeResult:
        """Geocode one address."""
        parsed = parse_address(address, postcode=postcode, city=city)
        number = parsed.number
        if housenumber is not None and str(housenumber).strip():
            number = parse_number(housenumber)[0] or number
        if not parsed.street:
            return GeocodeResult("refusé", 0.0, note="adresse vide")
        if not parsed.city and not parsed.postcode:
            return GeocodeResult(
                "refusé", 0.0, note="ni commune ni code postal : la commune doit être connue"
            )
        own = housenumber is not None and str(housenumber).strip()
        lead = str(housenumber).strip() if own else ""
        text = " ".join(p for p in (lead, fold(address), parsed.postcode, parsed.city) if p)
        results = self._search(text[:200], limit=3, autocomplete=False)
        if not results:
            return GeocodeResult("refusé", 0.0, note="aucun résultat addok")
        r = results[0]
        if r.score < MIN_SCORE:
            return GeocodeResult("refusé", 0.0, note=f"score addok trop faible ({r.score:.2f})")
        want = commune_key(parsed.city) if parsed.city else None
        agrees = commune_key(str(r.city)) == want if want else str(r.postcode) == parsed.postcode
        if not agrees:
            return GeocodeResult(
                "refusé", 0.0, note=f"commune du résultat ({r.city}) différente de celle indiquée"
            )
        hn = getattr(r, "housenumber", None)
        precision = "numéro" if hn else "voie"
        ban_id = None
        if hn:  # the matched number's point is the result's: find its BAN id
            for v in (r._doc.get("housenumbers") or {}).values():
                if (v.get("lon"), v.get("lat")) == (r.lon, r.lat):
                    ban_id = v.get("id")
                    break
        return GeocodeResult(
            precision,
            round(float(r.score), 3),
            float(r.lon),
            float(r.lat),
            str(r),
            ban_id,
            str(r.citycode),
            str(r.name),
            "" if hn or number is None else f"numéro {number} absent : point de la voie",
        )
