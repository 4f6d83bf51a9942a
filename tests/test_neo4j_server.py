"""The local Neo4j server: Cypher round trips over Bolt, and `status()`.

Uses the server that `make test` starts (`plangraph neo4j start`) or the one at
NEO4J_URI. With PLANGRAPH_REQUIRE_NEO4J=1 an unreachable server FAILS these tests;
otherwise they are skipped.
"""
from __future__ import annotations

import os
import time
import uuid

import pytest

from plangraph.graph import neo4j_server
from plangraph.graph.neo4j_config import Neo4jSettings, neo4j_settings, open_driver

LABEL = "PlanGraphServerTest"  # only nodes with this label are written and removed here


def _unavailable(reason: str) -> None:
    message = (f"Neo4j not reachable: {reason}. Start it with `plangraph neo4j start` "
               "(or set NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD).")
    if os.environ.get("PLANGRAPH_REQUIRE_NEO4J") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def settings() -> Neo4jSettings:
    return neo4j_settings()


@pytest.fixture(scope="module")
def driver(settings: Neo4jSettings):
    drv = open_driver(settings, connection_timeout=5)
    try:
        drv.verify_connectivity()
    except Exception as err:  # any failure to connect means: no usable server
        drv.close()
        _unavailable(f"{settings.uri}: {type(err).__name__}: {err}")
    run = uuid.uuid4().hex
    yield drv, settings.database, run
    drv.execute_query(f"MATCH (n:{LABEL} {{run: $run}}) DETACH DELETE n", run=run, database_=settings.database)
    drv.close()


@pytest.mark.neo4j
@pytest.mark.parametrize("value", [
    "常德市人民政府办公室",
    "ascii text with 'quotes' and \\ backslash",
    42,
    -3.25,
    True,
    ["牵头单位", "责任单位"],
    [2025, 2027],
], ids=["chinese", "ascii", "int", "float", "bool", "str-list", "int-list"])
def test_cypher_write_read_round_trip(driver, value):
    drv, database, run = driver
    key = uuid.uuid4().hex
    records, summary, _ = drv.execute_query(
        f"CREATE (t:{LABEL} {{run: $run, key: $key, value: $value}})"
        "-[:ASSIGNED_TO {role: '牵头'}]->(u:" + LABEL + " {run: $run, key: $key + '-unit'}) "
        "RETURN t.key AS key",
        run=run, key=key, value=value, database_=database)
    assert records[0]["key"] == key
    assert summary.counters.nodes_created == 2 and summary.counters.relationships_created == 1

    records, _, _ = drv.execute_query(
        f"MATCH (t:{LABEL} {{key: $key}})-[r:ASSIGNED_TO]->(u) RETURN t.value AS value, r.role AS role, u.key AS unit",
        key=key, database_=database, routing_="r")
    assert len(records) == 1
    got = records[0]
    assert got["value"] == value and type(got["value"]) is type(value)
    assert got["role"] == "牵头" and got["unit"] == key + "-unit"


@pytest.mark.neo4j
def test_server_is_neo4j_5(driver):
    drv, _, _ = driver
    agent = drv.get_server_info().agent
    assert agent.startswith("Neo4j/5."), agent


def _require_own_server(settings: Neo4jSettings) -> None:
    if os.environ.get("NEO4J_URI"):
        pytest.skip("NEO4J_URI points at an external server; plangraph's own server is not in use")


@pytest.mark.neo4j
def test_status_reports_running(settings, driver):
    _require_own_server(settings)
    state = neo4j_server.status()
    assert state.running, f"status() says not running (state dir {neo4j_server.state_dir()})"
    assert state.ready and state.uri == settings.uri and state.pid
    assert state.data_dir is not None and state.data_dir.is_dir()


@pytest.mark.neo4j
def test_start_when_running_returns_at_once(settings, driver):
    _require_own_server(settings)
    began = time.monotonic()
    assert neo4j_server.start() == settings.uri
    assert time.monotonic() - began < 15


def test_settings_from_environment(monkeypatch):
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLANGRAPH_NEO4J_PORT", "17687")
    s = neo4j_settings()
    assert (s.uri, s.user, s.password, s.database, s.auth) == ("bolt://127.0.0.1:17687", "neo4j", None, "neo4j", None)
    monkeypatch.setenv("NEO4J_URI", "neo4j://db.example:7687")
    monkeypatch.setenv("NEO4J_PASSWORD", "secret")
    monkeypatch.setenv("NEO4J_DATABASE", "plans")
    s = neo4j_settings()
    assert s.uri == "neo4j://db.example:7687" and s.auth == ("neo4j", "secret") and s.database == "plans"


def test_state_dir_follows_plangraph_home(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANGRAPH_HOME", str(tmp_path))
    assert neo4j_server.state_dir() == tmp_path / "neo4j"
    monkeypatch.delenv("PLANGRAPH_HOME")
    assert neo4j_server.state_dir() == neo4j_server.PROJECT_ROOT / ".neo4j"
