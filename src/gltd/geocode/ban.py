"""Read Base Adresse Nationale files: ``adresses-XX.csv(.gz)`` and ``adresses-addok-XX.ndjson(.gz)``.

The whole file is read and checked before anything is written, so a file in another
layout or a truncated download fails with a French message and leaves the index as it
was. Source: https://adresse.data.gouv.fr/data/ban/adresses/latest/ (Licence Ouverte 2.0).
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from gltd.errors import InputError
from gltd.geocode.normalise import normalise_suffix, parse_number

__all__ = ["BanData", "read_ban_file", "REQUIRED_COLUMNS", "departement_of"]

#: Columns of the BAN CSV layout gltd needs (the others are ignored).
REQUIRED_COLUMNS = (
    "id",
    "numero",
    "rep",
    "nom_voie",
    "code_postal",
    "code_insee",
    "nom_commune",
    "lon",
    "lat",
)
OPTIONAL_COLUMNS = ("code_insee_ancienne_commune", "nom_ancienne_commune", "libelle_acheminement")
CHUNK_ROWS = 100_000
Progress = Callable[[int, int], None]


@dataclass
class BanData:
    """One BAN file, read: streets, their addresses, commune names and postcodes."""

    path: Path
    layout: str
    #: code_insee, nom_commune, nom_voie, code_postal, lon, lat (one row per street).
    streets: pd.DataFrame
    #: street (row of ``streets``), ban_id, numero, rep, code_postal, lon, lat.
    addresses: pd.DataFrame
    #: code_insee, name, kind (commune / ancienne / acheminement).
    communes: pd.DataFrame
    #: code_postal, code_insee.
    postcodes: pd.DataFrame

    @property
    def departements(self) -> list[str]:
        """Départements covered (``45``, ``2A``, ``974``)."""
        return sorted({departement_of(c) for c in self.streets["code_insee"].unique()})


def departement_of(code_insee: str) -> str:
    """The département of an INSEE commune code (three characters overseas)."""
    return code_insee[:3] if code_insee.startswith("97") else code_insee[:2]


class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read (the progress of a gzip download)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self.fh.readinto(b)  # type: ignore[attr-defined]
        self.count += n or 0
        return n or 0


def _open(path: Path) -> tuple[IO[bytes], _Counting]:
    raw = path.open("rb")
    head = raw.read(2)
    raw.seek(0)
    counter = _Counting(raw)
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    if head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=buffered, mode="rb"), counter  # type: ignore[return-value]
    return buffered, counter


_BROKEN = (EOFError, OSError, zlib.error, UnicodeDecodeError, pd.errors.ParserError)


def _broken(path: Path, exc: BaseException) -> InputError:
    if isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)):
        what = "archive gzip tronquée ou abîmée (téléchargement incomplet ?) : téléchargez-la à nouveau"
    elif isinstance(exc, UnicodeDecodeError):
        what = "le fichier n'est pas en UTF-8 comme les fichiers BAN"
    else:
        what = f"lecture impossible ({exc})"
    return InputError(what, file=path.name)


def read_ban_file(path: str | Path, *, progress: Progress | None = None) -> BanData:
    """Read a BAN file, CSV or addok ndjson, gzip or not (``progress(done, total)`` bytes)."""
    p = Path(path)
    if not p.is_file():
        raise InputError("fichier introuvable", file=str(p))
    if p.stat().st_size == 0:
        raise InputError("fichier vide (0 octet)", file=p.name)
    fh, counter = _open(p)
    total = p.stat().st_size
    try:
        with fh:
            first = fh.peek(1)[:1] if hasattr(fh, "peek") else b""
            if first == b"{":
                return _read_addok(p, fh, counter, total, progress)
            return _read_csv(p, fh, counter, total, progress)
    except InputError:
        raise
    except _BROKEN as exc:
        raise _broken(p, exc) from None


def _read_csv(
    p: Path, fh: IO[bytes], counter: _Counting, total: int, progress: Progress | None
) -> BanData:
    header_line = fh.readline().decode("utf-8-sig").strip()
    header = header_line.split(";")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(
            "ce n'est pas un fichier de la Base Adresse Nationale au format CSV "
            f"(adresses-XX.csv) : colonne(s) absente(s) {', '.join(missing)} ; attendu "
            "un en-tête « id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;"
            "nom_commune;… » séparé par des points-virgules, ou un fichier addok (.ndjson)",
            file=p.name,
        )
    use = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in header]
    chunks = []
    reader = pd.read_csv(
        fh,
        sep=";",
        names=header,
        header=None,
        usecols=use,
        dtype=str,
        keep_default_na=False,
        chunksize=CHUNK_ROWS,
        encoding="utf-8",
    )
    for chunk in reader:
        chunks.append(chunk)
        if progress:
            progress(counter.count, total)
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=use)
    frame = frame.fillna("")
    for c in OPTIONAL_COLUMNS:
        if c not in frame:
            frame[c] = ""
    numero = pd.to_numeric(frame["numero"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    bad = numero.isna() | lon.isna() | lat.isna() | (frame["nom_voie"] == "")
    bad |= ~frame["code_insee"].str.fullmatch(r"[0-9][0-9AB][0-9]{3}")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        row = frame.iloc[i]
        field = next(
            (
                f
                for f, ok in (
                    ("numero", not pd.isna(numero.iloc[i])),
                    ("nom_voie", row["nom_voie"] != ""),
                    (
                        "code_insee",
                        bool(
                            pd.Series([row["code_insee"]])
                            .str.fullmatch(r"[0-9][0-9AB][0-9]{3}")
                            .iloc[0]
                        ),
                    ),
                    ("lon", not pd.isna(lon.iloc[i])),
                    ("lat", not pd.isna(lat.iloc[i])),
                )
                if not ok
            ),
            "numero",
        )
        raise InputError(
            f"valeur illisible « {row[field]} » ({int(bad.sum())} ligne(s) en tout) : "
            "fichier tronqué ou qui n'est pas un extrait de la Base Adresse Nationale",
            file=p.name,
            row=i + 2,
            field=field,
        )
    frame = frame.loc[~bad].reset_index(drop=True)
    frame["numero"] = numero[~bad].astype("int64").to_numpy()
    frame["lon"] = lon[~bad].to_numpy()
    frame["lat"] = lat[~bad].to_numpy()
    reps = {r: normalise_suffix(r) for r in frame["rep"].unique()}
    frame["rep"] = frame["rep"].map(reps)
    return _assemble(p, "csv", frame, None)


def _first(v: Any) -> str:
    if isinstance(v, list):
        return str(v[0]) if v else ""
    return "" if v is None else str(v)


def _read_addok(
    p: Path, fh: IO[bytes], counter: _Counting, total: int, progress: Progress | None
) -> BanData:
    rows: list[tuple[Any, ...]] = []
    streets: list[tuple[Any, ...]] = []
    communes: list[tuple[str, str, str]] = []
    for k, line in enumerate(io.TextIOWrapper(fh, encoding="utf-8"), start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            raise InputError(
                "ligne qui n'est pas un objet JSON : attendu le format addok "
                "(adresses-addok-XX.ndjson, un objet par ligne)",
                file=p.name,
                row=k,
            ) from None
        if not isinstance(doc, dict) or "type" not in doc:
            raise InputError(
                "objet sans « type » : attendu le format addok (street, locality, municipality)",
                file=p.name,
                row=k,
            )
        citycode, city = _first(doc.get("citycode")), _first(doc.get("city"))
        if doc["type"] == "municipality":
            if citycode and city:
                communes.append((citycode, city, "commune"))
            continue
        if doc["type"] not in ("street", "locality"):
            continue
        try:
            name = str(doc["name"] if not isinstance(doc["name"], list) else doc["name"][0])
            postcode = _first(doc.get("postcode"))
            s_lon, s_lat = float(doc["lon"]), float(doc["lat"])
        except (KeyError, TypeError, ValueError):
            raise InputError(
                "voie sans nom ou sans coordonnées (champs name, lon, lat attendus)",
                file=p.name,
                row=k,
            ) from None
        street_idx = len(streets)
        streets.append((citycode, city, name, postcode, s_lon, s_lat))
        if doc.get("oldcity"):
            communes.append((citycode, _first(doc["oldcity"]), "ancienne"))
        for key, hn in (doc.get("housenumbers") or {}).items():
            num, rep = parse_number(key)
            if num is None or not isinstance(hn, dict):
                continue
            try:
                rows.append(
                    (street_idx, str(hn.get("id", "")), num, rep, postcode,
                     float(hn["lon"]), float(hn["lat"]))
                )  # fmt: skip
            except (KeyError, TypeError, ValueError):
                raise InputError(
                    f"numéro « {key} » sans coordonnées lon/lat", file=p.name, row=k
                ) from None
        if progress and k % 5000 == 0:
            progress(counter.count, total)
    if progress:
        progress(counter.count, total)
    if not streets:
        raise InputError(
            "aucune voie dans ce fichier addok (objets de type street ou locality attendus)",
            file=p.name,
        )
    st = pd.DataFrame(
        streets, columns=["code_insee", "nom_commune", "nom_voie", "code_postal", "lon", "lat"]
    )
    ad = pd.DataFrame(
        rows, columns=["street", "ban_id", "numero", "rep", "code_postal", "lon", "lat"]
    )
    extra = pd.DataFrame(communes, columns=["code_insee", "name", "kind"])
    return _assemble(p, "addok", None, (st, ad, extra))


def _assemble(
    p: Path,
    layout: str,
    frame: pd.DataFrame | None,
    parts: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None,
) -> BanData:
    if frame is not None:
        if frame.empty:
            raise InputError("aucune adresse dans ce fichier", file=p.name)
        key = frame["code_insee"] + "\x1f" + frame["nom_voie"]
        codes, uniques = pd.factorize(key)
        frame["street"] = codes
        g = frame.groupby("street", sort=True)
        centre_lon = g["lon"].transform("mean").to_numpy()
        centre_lat = g["lat"].transform("mean").to_numpy()
        # The street's point: its address nearest the mean (on the street, not between).
        d = (frame["lon"].to_numpy() - centre_lon) ** 2 + (
            frame["lat"].to_numpy() - centre_lat
        ) ** 2
        nearest = pd.Series(d).groupby(codes).idxmin().to_numpy()
        first = g.head(1).set_index("street").sort_index()
        streets = pd.DataFrame(
            {
                "code_insee": first["code_insee"].to_numpy(),
                "nom_commune": first["nom_commune"].to_numpy(),
                "nom_voie": first["nom_voie"].to_numpy(),
                "code_postal": first["code_postal"].to_numpy(),
                "lon": frame["lon"].to_numpy()[nearest],
                "lat": frame["lat"].to_numpy()[nearest],
            }
        )
        assert len(streets) == len(uniques)
        addresses = frame[["street", "id", "numero", "rep", "code_postal", "lon", "lat"]].rename(
            columns={"id": "ban_id"}
        )
        names = [
            frame[["code_insee", "nom_commune"]].drop_duplicates().assign(kind="commune"),
            frame.loc[frame["nom_ancienne_commune"] != "", ["code_insee", "nom_ancienne_commune"]]
            .drop_duplicates()
            .rename(columns={"nom_ancienne_commune": "nom_commune"})
            .assign(kind="ancienne"),
            frame.loc[frame["libelle_acheminement"] != "", ["code_insee", "libelle_acheminement"]]
            .drop_duplicates()
            .rename(columns={"libelle_acheminement": "nom_commune"})
            .assign(kind="acheminement"),
        ]
        communes = pd.concat(names, ignore_index=True).rename(columns={"nom_commune": "name"})
        pcs = frame[["code_postal", "code_insee"]].drop_duplicates()
    else:
        assert parts is not None
        streets, addresses, extra = parts
        names_df = streets[["code_insee", "nom_commune"]].drop_duplicates()
        communes = pd.concat(
            [names_df.rename(columns={"nom_commune": "name"}).assign(kind="commune"), extra],
            ignore_index=True,
        )
        pcs = pd.concat(
            [streets[["code_postal", "code_insee"]], addresses[["code_postal"]].assign(
                code_insee=streets["code_insee"].to_numpy()[addresses["street"].to_numpy()]
            )],
            ignore_index=True,
        ).drop_duplicates()  # fmt: skip
    communes = communes.loc[communes["name"].astype(str) != ""].drop_duplicates(
        subset=["code_insee", "name"]
    )
    pcs = pcs.loc[pcs["code_postal"].astype(str).str.fullmatch(r"\d{5}")]
    addresses = addresses.reset_index(drop=True)
    addresses["numero"] = addresses["numero"].astype("int64")
    return BanData(
        path=p,
        layout=layout,
        streets=streets.reset_index(drop=True),
        addresses=addresses,
        communes=communes.reset_index(drop=True),
        postcodes=pcs.reset_index(drop=True),
    )
