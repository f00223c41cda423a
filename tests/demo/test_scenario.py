"""The Orléans demo: the article's figures by construction, determinism, no person, CLI."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
import shapely
from shapely import wkt
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from gltd.cli.main import app
from gltd.demo.calendar import local_dt
from gltd.demo.geography import BAR_LE_SCORE
from gltd.demo.scenario import build_demo
from gltd.errors import GltdError
from gltd.model import (
    Base,
    Camera,
    Intervention,
    Operation,
    Requisition,
    User,
    Zone,
)
from gltd.store.engine import make_engine
from gltd.store.migrate import upgrade

PERIOD = (local_dt(date(2018, 3, 24)), local_dt(date(2018, 9, 25)))
REF = (local_dt(date(2017, 3, 24)), local_dt(date(2017, 9, 25)))


def _ops_sum(engine: Engine, column: str, period: tuple, zone: str | None = None) -> int:
    col = getattr(Operation, column)
    stmt = select(func.coalesce(func.sum(col), 0)).where(
        Operation.started_at >= period[0], Operation.started_at < period[1]
    )
    if zone is not None:
        stmt = stmt.join(Zone, Zone.id == Operation.zone_id).where(Zone.name == zone)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def table_digest(engine: Engine) -> str:
    """SHA-256 of every table's rows in primary-key order (alembic_version left out)."""
    h = hashlib.sha256()
    with engine.connect() as conn:
        for name in sorted(Base.metadata.tables):
            table = Base.metadata.tables[name]
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            h.update(name.encode())
            for row in rows:
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_demo_has_the_article_figures(db_url: str) -> None:
    engine = make_engine(db_url)
    summary = build_demo(engine, seed=2018)
    assert summary.incidents > 20_000
    with engine.connect() as conn:
        n_ops = conn.execute(
            select(func.count())
            .select_from(Operation)
            .where(Operation.started_at >= PERIOD[0], Operation.started_at < PERIOD[1])
        ).scalar_one()
        by_zone = dict(
            conn.execute(
                select(Zone.name, func.count())
                .join(Operation, Operation.zone_id == Zone.id)
                .where(Operation.started_at >= PERIOD[0], Operation.started_at < PERIOD[1])
                .group_by(Zone.name)
            ).all()
        )
        occupation = (
            conn.execute(
                select(Operation.started_at)
                .where(
                    Operation.kind == "occupation",
                    Operation.started_at >= PERIOD[0],
                    Operation.started_at < PERIOD[1],
                )
                .order_by(Operation.started_at)
            )
            .scalars()
            .all()
        )
        dogs = conn.execute(
            select(func.count())
            .select_from(Operation)
            .where(Operation.dog_detection.is_(True), Operation.started_at >= PERIOD[0])
        ).scalar_one()
        years = {
            y: conn.execute(
                select(func.count())
                .select_from(Requisition)
                .where(
                    Requisition.received_at >= local_dt(date(y, 1, 1)),
                    Requisition.received_at < local_dt(date(y + 1, 1, 1)),
                )
            ).scalar_one()
            for y in range(2011, 2019)
        }
        late = conn.execute(
            select(func.count()).select_from(Requisition).where(Requisition.status == "hors_delai")
        ).scalar_one()
        cams = conn.execute(
            select(
                Camera.hd,
                Camera.annual_cost_eur,
                Camera.retention_days,
                Camera.authorisation_expiry,
            ).where(Camera.removed_on.is_(None))
        ).all()
        closure = conn.execute(
            select(Intervention.geometry_wkt, Intervention.started_on).where(
                Intervention.kind == "fermeture"
            )
        ).one()
        users = conn.execute(select(func.count()).select_from(User)).scalar_one()
    # The article: « une cinquantaine d'opérations, dont une trentaine dans ces deux quartiers »
    assert n_ops == 50
    assert by_zone["Les Carmes"] + by_zone["La Source"] == 30
    # « 41 interpellations » of traffickers
    assert _ops_sum(engine, "arrests_trafficker", PERIOD) == 41
    # « une hausse de l'interpellation des consommateurs à hauteur de 125 % » aux Carmes
    assert _ops_sum(engine, "arrests_consumer", REF, "Les Carmes") == 20
    assert _ops_sum(engine, "arrests_consumer", PERIOD, "Les Carmes") == 45
    # Occupation every 15 days, some with dogs
    gaps = {(b - a).days for a, b in zip(occupation, occupation[1:], strict=False)}
    assert gaps <= {14, 15} and len(occupation) == 13
    assert dogs > 0
    # « 66 réquisitions » in 2011, « déjà 171 » in 2018
    assert years[2011] == 66 and years[2018] == 171
    assert all(years[y] < years[y + 1] for y in range(2011, 2018))
    assert late > 0
    # « un peu plus de 200 » cameras, « environ 150 000 euros par an »
    assert 200 < len(cams) <= 215
    assert sum(c.annual_cost_eur for c in cams) == pytest.approx(150_000, abs=1)
    assert sum(c.hd for c in cams) / len(cams) > 0.5
    assert max(c.retention_days for c in cams) <= 30
    expiring = [c for c in cams if date(2018, 9, 24) < c.authorisation_expiry <= date(2019, 3, 24)]
    assert expiring
    # The bar « Le Score », closed in spring, stored as an intervention around it
    assert shapely.contains_xy(wkt.loads(closure.geometry_wkt), *BAR_LE_SCORE)
    assert date(2018, 3, 21) <= closure.started_on.date() <= date(2018, 6, 20)
    assert users == 0


def test_same_seed_same_database(tmp_path: Path) -> None:
    digests = []
    for name, seed in (("a", 2018), ("b", 2018), ("c", 7)):
        url = f"sqlite:///{tmp_path / name}.db"
        upgrade(url)
        engine = make_engine(url)
        build_demo(engine, seed=seed, incident_scale=0.2)
        digests.append(table_digest(engine))
        engine.dispose()
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_demo_refuses_a_database_with_data(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    build_demo(engine, seed=1, incident_scale=0.05)
    with pytest.raises(GltdError, match="la base n'est pas vide.*--reset"):
        build_demo(engine, seed=1)


def test_zones_are_illustrative_and_named_as_agreed(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    build_demo(engine, incident_scale=0.05)
    with engine.connect() as conn:
        zones = conn.execute(select(Zone.name, Zone.kind, Zone.illustrative)).all()
        names = conn.execute(text("SELECT name, kind FROM agency ORDER BY id")).all()
    quartiers = {z.name for z in zones if z.kind == "quartier"}
    assert quartiers == {"Les Carmes", "La Source", "L'Argonne"}
    assert "Reste de la ville" in {z.name for z in zones}
    assert all(z.illustrative for z in zones)
    assert [tuple(r) for r in names] == [
        ("Parquet d'Orléans", "parquet"),
        ("DDSP du Loiret", "police"),
        ("Préfecture du Loiret", "prefecture"),
        ("Ville d'Orléans", "ville"),
        ("CSU d'Orléans", "csu"),
    ]


def test_cli_demo_builds_and_resets(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--db", url, "--seed", "3"])
    assert first.exit_code == 0, first.output
    assert str(tmp_path / "demo.db") in first.output.replace("\n", "")
    again = runner.invoke(app, ["demo", "--db", url, "--seed", "3"])
    assert again.exit_code == 2
    assert "--reset" in again.output
    reset = runner.invoke(app, ["demo", "--db", url, "--seed", "3", "--reset"])
    assert reset.exit_code == 0, reset.output


def test_reset_then_rebuild(db_url: str) -> None:
    from gltd.demo.reset import reset_database

    engine = make_engine(db_url)
    build_demo(engine, seed=5, incident_scale=0.05)
    first = table_digest(engine)
    engine.dispose()
    reset_database(db_url)
    upgrade(db_url)
    engine = make_engine(db_url)
    build_demo(engine, seed=5, incident_scale=0.05)
    assert table_digest(engine) == first
    engine.dispose()
