"""docker-compose.yml, read as data: no Docker engine runs here, so its structure is the
contract (PostgreSQL with a volume and a health check, two replicas that wait for it and
expose their ops endpoint, secrets only from .env)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).parents[1]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE: dict[str, Any] = YAML(typ="safe").load(COMPOSE_TEXT)  # resolves << merges
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}; $$ escapes.
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
SECRET_KEY = re.compile(r"PASSWORD|TOKEN|SECRET|_KEY$|_URL$")
EXAMPLE = dict(
    re.findall(
        r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$",
        (ROOT / ".env.example").read_text(encoding="utf-8"),
        re.M,
    )
)


def interpolate(value: str, env: dict[str, str]) -> str:
    """What compose makes of `value` with `env` as .env (enough for this file)."""

    def one(found: re.Match[str]) -> str:
        name, kind, default = found.groups()
        given = env.get(name)
        if kind and (given is None or (kind.startswith(":") and not given)):
            assert not kind.endswith("?"), f"compose would stop: {default}"
            return str(default)
        return given or ""

    return VARIABLE.sub(one, value)


def strings(node: Any) -> list[str]:
    """Every string value of the parsed file: what compose interpolates (not comments)."""
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return [node] if isinstance(node, str) else []


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the KEY=VALUE form
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def trackers() -> dict[str, dict[str, Any]]:
    return {name: s for name, s in SERVICES.items() if "build" in s}


def replica_count() -> int:
    return sum(int((s.get("deploy") or {}).get("replicas", 1)) for s in trackers().values())


def container_port(service: dict[str, Any]) -> int:
    address = environment(service)["TRACKER_HTTP"]
    host, _, port = address.rpartition(":")
    assert host == "0.0.0.0", f"{address}: inside a container, listen on every interface"
    return int(port)


def test_the_database_keeps_its_data_in_a_named_volume_and_reports_its_health() -> None:
    db = SERVICES["db"]
    assert str(db["image"]).startswith("postgres:16")
    named = COMPOSE.get("volumes") or {}
    mounts = [str(v).split(":") for v in db["volumes"]]
    assert any(
        source in named and target == "/var/lib/postgresql/data" for source, target, *_ in mounts
    )
    check = db["healthcheck"]["test"]
    assert "pg_isready" in (check if isinstance(check, str) else " ".join(check))
    assert db.get("restart") == "unless-stopped"
    assert "ports" not in db, "the database is for the replicas only"


def test_at_least_two_replicas_that_restart_read_the_config_and_wait_for_the_database() -> None:
    assert replica_count() >= 2
    for name, service in trackers().items():
        assert service.get("restart") == "unless-stopped", name
        assert "./config:/app/config:ro" in service["volumes"], name
        assert service["depends_on"]["db"]["condition"] == "service_healthy", name


def test_every_replica_uses_the_db_service_without_a_password_in_the_url() -> None:
    for name, service in trackers().items():
        url = urlsplit(interpolate(environment(service)["TRACKER_DATABASE_URL"], EXAMPLE))
        assert url.scheme == "postgresql+psycopg", name
        assert (url.hostname, url.port) == ("db", 5432), name
        assert url.password is None, f"{name}: the password belongs in .env"
        # The account the db service creates is the one the replica logs in with.
        db = {k: interpolate(v, EXAMPLE) for k, v in environment(SERVICES["db"]).items()}
        assert url.username == db["POSTGRES_USER"], name
        assert url.path == f"/{db['POSTGRES_DB']}", name
        password = interpolate(environment(service)["PGPASSWORD"], EXAMPLE)
        assert password == db["POSTGRES_PASSWORD"] == EXAMPLE["POSTGRES_PASSWORD"], name


def test_every_replica_exposes_its_ops_endpoint_on_its_own_host_port() -> None:
    host_ports = []
    for name, service in trackers().items():
        port = container_port(service)
        published = [str(p).rsplit(":", 2) for p in service["ports"]]
        assert any(int(inside) == port for *_, inside in published), name
        assert all(len(p) == 3 and p[0] == "127.0.0.1" for p in published), (
            f"{name}: publish the ops endpoint on 127.0.0.1 only"
        )
        host_ports += [int(p[1]) for p in published]
        check = " ".join(service["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/healthz" in check, name
    assert len(host_ports) == len(set(host_ports)) >= 2


def test_no_secret_is_written_in_the_file() -> None:
    for name, service in SERVICES.items():
        for key, value in environment(service).items():
            if not SECRET_KEY.search(key) or key == "TRACKER_DATABASE_URL":
                continue
            found = VARIABLE.fullmatch(value)
            assert found, f"{name}: {key} must come from .env as ${{VAR}}"
            kind, default = found.group(2), found.group(3)
            assert not (kind and kind.endswith("-") and default), (
                f"{name}: {key} has a literal default"
            )
    assert not re.search(r"://[^/\s:@$]+:[^@\s$]+@", COMPOSE_TEXT), "credentials in a URL"


def test_every_variable_is_listed_in_env_example_and_env_stays_out_of_git() -> None:
    used = {m.group(1) for s in strings(COMPOSE) for m in VARIABLE.finditer(s)}
    assert used, "the file reads nothing from .env"
    assert used <= set(EXAMPLE), f"missing from .env.example: {sorted(used - set(EXAMPLE))}"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()


def test_the_image_can_reach_postgresql() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"pip install .*\.\[[^\]]*postgres", dockerfile), "install the postgres extra"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("${A} ${B:-x} ${C?m} $${D}", ["A", "B", "C"]),
        ("plain $E and $$ ${F:?set F}", ["F"]),
    ],
)
def test_the_variable_pattern_reads_compose_interpolation(text: str, names: list[str]) -> None:
    assert [m.group(1) for m in VARIABLE.finditer(text)] == names
