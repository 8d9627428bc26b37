"""The production compose file, checked without a Docker engine: every command exists, every
setting it sets is a real one, and the parts that must agree do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from pydantic import BaseModel

from claim_intake.intake.cli.app import app as cli
from claim_intake.intake.settings import Settings

COMPOSE = Path(__file__).parents[2] / "docker-compose.yml"
OURS = ("api", "worker", "webhook-worker", "beat", "flower")
SHARED = ("DATABASE_URL", "STORAGE_URL", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "BROKER_URL",
          "CONSOLE_SECRET")  # the secret: status links in the notices the workers send


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def setting_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every variable name Settings reads, nested ones with ``__``."""
    paths = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}".upper()
        paths.add(path)
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            paths |= setting_paths(info.annotation, f"{path}__")
    return paths


def test_the_stack_has_every_part(services: dict[str, Any]) -> None:
    assert set(services) >= {"api", "worker", "beat", "flower", "redis", "postgres", "minio", "minio-bucket"}
    assert services["minio"]["image"].startswith("minio/minio")
    assert services["minio-bucket"]["image"].startswith("minio/mc")
    assert "mc mb" in " ".join(services["minio-bucket"]["command"])


def test_every_command_is_one_the_image_has(services: dict[str, Any]) -> None:
    # Typer's command tree (its own click): groups have ``commands``, commands ``params``.
    group = typer.main.get_command(cli)
    for name in OURS:
        command = services[name]["command"]
        if command[0] == "celery":
            assert "flower" in command or "beat" in command or "worker" in command, name
            continue
        assert command[0] == "claim-intake", name
        words = [w for w in command[1:] if not w.startswith("-")]
        node: Any = group
        for word in words:
            if not hasattr(node, "commands"):
                break  # the rest are arguments
            assert word in node.commands, f"{name}: claim-intake has no command {word!r}"
            node = node.commands[word]
        options = {opt for param in node.params for opt in getattr(param, "opts", [])}
        for word in command[1:]:
            if word.startswith("-"):
                assert word.split("=")[0] in options, f"{name}: {node.name} has no option {word}"


def test_every_claim_intake_variable_is_a_setting(services: dict[str, Any]) -> None:
    known = setting_paths(Settings)
    for name, service in services.items():
        for variable in service.get("environment", {}):
            if variable.startswith("CLAIM_INTAKE_"):
                assert variable.removeprefix("CLAIM_INTAKE_") in known, f"{name}: {variable} is not a setting"


def test_api_and_workers_share_database_storage_and_broker(services: dict[str, Any]) -> None:
    api, worker, beat, webhooks = (services[n]["environment"] for n in ("api", "worker", "beat", "webhook-worker"))
    for key in SHARED:
        assert api[f"CLAIM_INTAKE_{key}"] == worker[f"CLAIM_INTAKE_{key}"] == beat[f"CLAIM_INTAKE_{key}"] \
            == webhooks[f"CLAIM_INTAKE_{key}"], key
    broker = api["CLAIM_INTAKE_BROKER_URL"]
    assert broker.startswith("redis://:${REDIS_PASSWORD:?") and broker.endswith("@redis:6379/0")
    assert any(f"--broker={broker}" == word for word in services["flower"]["command"])
    assert api["CLAIM_INTAKE_S3_ENDPOINT"].startswith("minio:")
    assert "@postgres:" in api["CLAIM_INTAKE_DATABASE_URL"]


def test_workers_scale_and_beat_does_not(services: dict[str, Any]) -> None:
    worker = services["worker"]
    assert worker["deploy"]["replicas"] >= 2
    # Anything fixed per container would collide between replicas.
    assert "container_name" not in worker and "ports" not in worker
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_dependencies_exist_and_wait_for_health(compose: dict[str, Any], services: dict[str, Any]) -> None:
    for name, service in services.items():
        for target, condition in service.get("depends_on", {}).items():
            assert target in services, f"{name} depends on unknown {target}"
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target}'s health, which has no check"
            if condition["condition"] == "service_completed_successfully":
                assert services[target].get("restart") == "no", f"{target} is one-shot but restarts"
    for name in ("api", "redis", "postgres", "minio"):
        check = services[name]["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL") and check["interval"] and check["retries"] > 0, name


def test_named_volumes_are_declared(compose: dict[str, Any], services: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: volume {source} is not declared"
    assert "postgres-data" in declared and "minio-data" in declared


SECRETS = ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_APP_USER",
           "MINIO_APP_PASSWORD", "CONSOLE_SECRET", "FLOWER_USER", "FLOWER_PASSWORD")


def test_no_secret_has_a_default_and_compose_refuses_to_start_without_them() -> None:
    import re

    text = COMPOSE.read_text()
    used = set(re.findall(r"\$\{(\w+)", text))
    assert used == set(SECRETS), used ^ set(SECRETS)
    # ${VAR:?message}: compose stops with the message when VAR is unset or empty; no ${VAR:-default}.
    assert not re.search(r"\$\{\w+:?-", text)
    for variable in re.findall(r"\$\{(\w+[^}]*)\}", text):
        assert ":?" in variable, f"${{{variable}}} may start empty"


def test_redis_wants_a_password_and_flower_is_behind_one_on_this_host_only(services: dict[str, Any]) -> None:
    redis = services["redis"]
    assert "--requirepass" in redis["command"]
    assert redis["command"][redis["command"].index("--requirepass") + 1].startswith("${REDIS_PASSWORD:?")
    assert "REDISCLI_AUTH" in redis["environment"]  # its health check logs in
    assert "ports" not in redis and "ports" not in services["postgres"] and "ports" not in services["minio"]
    flower = services["flower"]
    assert any(word.startswith("--basic-auth=${FLOWER_USER:?") for word in flower["command"])
    assert all(port.startswith("127.0.0.1:") for port in flower.get("ports", []))


def test_the_app_uses_a_minio_user_limited_to_its_bucket(services: dict[str, Any]) -> None:
    import json

    env = services["api"]["environment"]
    assert env["CLAIM_INTAKE_S3_ACCESS_KEY"].startswith("${MINIO_APP_USER:?")
    assert "MINIO_ROOT" not in json.dumps([services[n]["environment"] for n in OURS])
    setup = " ".join(services["minio-bucket"]["command"])
    assert "mc admin user add" in setup and "mc admin policy attach local claim-intake" in setup
    mount = next(v for v in services["minio-bucket"]["volumes"] if v.endswith(":/policy.json:ro"))
    policy = json.loads((COMPOSE.parent / mount.split(":")[0]).read_text())
    bucket = env["CLAIM_INTAKE_STORAGE_URL"].removeprefix("s3://")
    actions = {a for statement in policy["Statement"] for a in statement["Action"]}
    resources = {r for statement in policy["Statement"] for r in statement["Resource"]}
    assert all(s["Effect"] == "Allow" for s in policy["Statement"])
    assert actions == {"s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    assert resources == {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"}


def test_the_image_installs_from_the_lock_file() -> None:
    dockerfile = (COMPOSE.parent / "Dockerfile").read_text()
    lock = COMPOSE.parent / "requirements.lock"
    assert lock.is_file()
    assert "requirements.lock" in dockerfile and "--require-hashes" in dockerfile
    pinned = [line for line in lock.read_text().splitlines() if line and not line.startswith((" ", "#"))]
    assert pinned and all("==" in line for line in pinned)
