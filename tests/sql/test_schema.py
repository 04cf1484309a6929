"""The migrations and the models describe the same schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from scorecard import facts as F
from sql.engine import make_engine
from sql.models import FACT_TABLES, Base
from sql.schema import NotInitialised, current_revision, head_revision, require_current, upgrade


def _schema(engine) -> dict:
    insp = inspect(engine)
    out = {}
    for table in sorted(insp.get_table_names()):
        if table == "alembic_version":
            continue
        out[table] = {
            "columns": [(c["name"], c["nullable"]) for c in insp.get_columns(table)],
            "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table)),
            "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(table)),
            "pk": tuple(insp.get_pk_constraint(table)["constrained_columns"]),
        }
    return out


def test_init_reaches_head_and_matches_models(empty_db_url):
    engine = make_engine(empty_db_url)
    with pytest.raises(NotInitialised, match="steerco init"):
        require_current(engine)
    before, after = upgrade(engine)
    assert before is None and after == head_revision() == current_revision(engine)
    require_current(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"
    assert upgrade(engine) == (head_revision(), head_revision())  # idempotent
    engine.dispose()


def test_sqlite_and_postgresql_reach_the_same_schema(tmp_path, pg_server):
    lite = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    upgrade(lite)
    pg_url = pg_server["url"].set(database=pg_server["template"]).render_as_string(hide_password=False)
    pg = make_engine(pg_url)
    assert _schema(lite) == _schema(pg)
    lite.dispose()
    pg.dispose()


def test_fact_tables_mirror_the_canonical_facts():
    for name, fact in F.FACTS.items():
        table = FACT_TABLES[name]
        assert [c.name for c in table.columns] == ["id", "provider_id", *[n for n in fact.names if n != F.PROVIDER]]
        for col in fact.columns:
            if col.name != F.PROVIDER:
                assert table.c[col.name].nullable == (not col.required and col.name not in fact.key), (name, col.name)
