"""The deploy files say what they must: checked by parsing them, and by running the
pieces that can run here (the entrypoint script, the HEALTHCHECK command). No docker."""

from __future__ import annotations

import asyncio
import configparser
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.ops.health import HealthServer

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"

ENV_VARS = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_BASE_URL",
    "TELEGRAM_BASE_FILE_URL",
    "SIDEGLIDE_DB",
    "SIDEGLIDE_TTS",
    "SIDEGLIDE_AUDIO_CACHE",
    "SIDEGLIDE_WEBHOOK_URL",
    "SIDEGLIDE_WEBHOOK_SECRET",
    "SIDEGLIDE_LISTEN",
    "SIDEGLIDE_PROGRESS_AFTER",
    "SIDEGLIDE_HEALTH_LISTEN",
    "SIDEGLIDE_LOG_FORMAT",
    "SIDEGLIDE_LOG_LEVEL",
    "SIDEGLIDE_REMINDER_RATE",
)


# --- Dockerfile ------------------------------------------------------------------------


def parse_dockerfile(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: continuations joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # also comment lines inside a continuation, as docker does
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    assert not pending, "dangling line continuation at end of Dockerfile"
    return instructions


def env_pairs(instructions: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in instructions:
        if keyword == "ENV":
            for token in shlex.split(args):
                key, sep, value = token.partition("=")
                assert sep, f"use ENV KEY=value, not the legacy form: {args}"
                env[key] = value
    return env


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (k, _) in enumerate(instructions) if k == "FROM")
    return instructions[last_from:]


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return parse_dockerfile((DEPLOY / "Dockerfile").read_text())


def test_parser_joins_continuations_and_skips_comments() -> None:
    parsed = parse_dockerfile('# c\nFROM a\nRUN x \\\n  # inner\n  && y\nCMD ["z"]\n')
    assert parsed == [("FROM", "a"), ("RUN", "x  && y"), ("CMD", '["z"]')]


def test_dockerfile_base_user_and_command(dockerfile: list[tuple[str, str]]) -> None:
    assert dockerfile[0][0] == "FROM"
    for keyword, args in dockerfile:
        if keyword == "FROM":
            assert args.split()[0] == "python:3.11-slim"
    stage = final_stage(dockerfile)
    keywords = [k for k, _ in stage]
    cmd_at = keywords.index("CMD")
    users = [args for k, args in stage[:cmd_at] if k == "USER"]
    assert users, "no USER before CMD: the bot would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert users[-1] == "sideglide"
    assert json.loads(stage[cmd_at][1]) == ["sideglide", "run"]
    assert keywords.count("CMD") == 1


def test_dockerfile_installs_system_packages_lean(dockerfile: list[tuple[str, str]]) -> None:
    runs = [args for k, args in final_stage(dockerfile) if k == "RUN" and "apt-get" in args]
    assert len(runs) == 1
    (run,) = runs
    install = run[run.index("apt-get install") :]
    for word in ("--no-install-recommends", "ffmpeg", "espeak-ng"):
        assert word in install.split()
    assert "apt-get update" in run
    assert "rm -rf /var/lib/apt/lists/*" in run  # same layer, or the lists stay in the image


def test_dockerfile_installs_the_package_and_uses_the_data_volume(
    dockerfile: list[tuple[str, str]],
) -> None:
    assert any(k == "RUN" and re.search(r"pip install\b.*\s/src\b", a) for k, a in dockerfile)
    env = env_pairs(final_stage(dockerfile))
    assert env["SIDEGLIDE_DB"] == "/data/sideglide.sqlite3"
    assert env["SIDEGLIDE_AUDIO_CACHE"] == "/data/audio"
    volumes = [a for k, a in dockerfile if k == "VOLUME"]
    assert volumes and "/data" in json.loads(volumes[0])
    # The volume's directory is created (and chowned) before it is declared.
    assert any(k == "RUN" and "chown" in a and "/data" in a for k, a in dockerfile)
    # Catalogues are not package data: they are copied where SIDEGLIDE_LOCALES points.
    copied = [a.split()[-1] for k, a in final_stage(dockerfile) if k == "COPY"]
    assert env["SIDEGLIDE_LOCALES"] in copied


def test_dockerfile_entrypoint_script_is_copied_from_the_repo(
    dockerfile: list[tuple[str, str]],
) -> None:
    (entrypoint,) = [json.loads(a) for k, a in dockerfile if k == "ENTRYPOINT"]
    target = entrypoint[-1]
    copies = [a.split() for k, a in dockerfile if k == "COPY" and a.split()[-1] == target]
    assert copies, f"{target} is never copied into the image"
    source = next(word for word in copies[0] if word.startswith("deploy/"))
    assert (ROOT / source).is_file()
    assert os.access(ROOT / source, os.X_OK)


def test_dockerignore_keeps_secrets_and_state_out() -> None:
    patterns = {
        line.strip()
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"**/.env", "**/.venv", "**/.git", "var/"} <= patterns


def healthcheck_command(dockerfile: list[tuple[str, str]]) -> str:
    (args,) = [a for k, a in dockerfile if k == "HEALTHCHECK"]
    _, sep, command = args.partition(" CMD ")
    assert sep, "HEALTHCHECK without CMD"
    return command


def test_dockerfile_has_a_healthcheck_on_healthz(dockerfile: list[tuple[str, str]]) -> None:
    command = healthcheck_command(dockerfile)
    assert "/healthz" in command
    assert "urllib" in command


async def run_sh(command: str, env: dict[str, str]) -> int:
    proc = await asyncio.create_subprocess_exec(
        "sh", "-c", command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return await asyncio.wait_for(proc.wait(), timeout=30)


async def test_healthcheck_command_passes_against_the_health_server_and_fails_without(
    dockerfile: list[tuple[str, str]],
) -> None:
    command = healthcheck_command(dockerfile)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    server = HealthServer()
    await server.start("127.0.0.1", 0)
    port = server.port
    try:
        # 0.0.0.0 (what the image listens on) must be probed via loopback.
        assert await run_sh(command, env | {"SIDEGLIDE_HEALTH_LISTEN": f"0.0.0.0:{port}"}) == 0
        assert await run_sh(command, env | {"SIDEGLIDE_HEALTH_LISTEN": f"127.0.0.1:{port}"}) == 0
    finally:
        await server.stop()
    assert await run_sh(command, env | {"SIDEGLIDE_HEALTH_LISTEN": f"127.0.0.1:{port}"}) != 0


# --- entrypoint ------------------------------------------------------------------------


def run_entrypoint(tmp_path: Path, *args: str, **env: str) -> tuple[Path, str]:
    """Run the entrypoint with a fake `sideglide` that records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "calls.txt"
    fake = bin_dir / "sideglide"
    fake.write_text(f'#!/bin/sh\necho "$*" >> "{record}"\n')
    fake.chmod(0o755)
    result = subprocess.run(
        ["sh", str(DEPLOY / "docker-entrypoint.sh"), *args],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return record, result.stderr


def wait_for_lines(record: Path, expected: set[str]) -> set[str]:
    """The recorded lines once `expected` are all there (60 s: a hang guard)."""
    deadline = time.monotonic() + 60
    while True:
        lines = set(record.read_text().splitlines()) if record.exists() else set()
        if expected <= lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)


def test_entrypoint_prerenders_audio_in_background_when_cache_is_empty(tmp_path: Path) -> None:
    cache = tmp_path / "audio"
    record, stderr = run_entrypoint(tmp_path, "sideglide", "run", SIDEGLIDE_AUDIO_CACHE=str(cache))
    assert wait_for_lines(record, {"run", "render-media"}) == {"run", "render-media"}
    assert cache.is_dir()
    assert "pre-rendering" in stderr


@pytest.mark.parametrize(
    ("args", "env", "prefill"),
    [
        (("sideglide", "run"), {}, True),  # cache already filled
        (("sideglide", "console"), {}, False),  # not the bot
    ],
)
def test_entrypoint_skips_prerender(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], prefill: bool
) -> None:
    cache = tmp_path / "audio"
    if prefill:
        cache.mkdir()
        (cache / "clip.ogg").write_bytes(b"OggS")
    record, stderr = run_entrypoint(tmp_path, *args, SIDEGLIDE_AUDIO_CACHE=str(cache), **env)
    assert "pre-rendering" not in stderr
    assert record.read_text().splitlines() == [" ".join(args[1:])]


# --- compose ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(data, dict)
    return data


def test_compose_service_volume_env_file_and_restart(compose: dict[str, Any]) -> None:
    service = compose["services"]["sideglide"]
    env_file = service["env_file"]
    assert ".env" in ([env_file] if isinstance(env_file, str) else env_file)
    assert service["restart"] == "unless-stopped"
    mounts = [v.split(":") for v in service["volumes"]]
    named = {src for src, dst, *_ in mounts if dst == "/data"}
    assert named and named <= set(compose["volumes"])
    assert service["environment"]["SIDEGLIDE_DB"].startswith("/data/")
    build = service["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"


def test_compose_publishes_health_port_on_loopback_only(compose: dict[str, Any]) -> None:
    service = compose["services"]["sideglide"]
    listen_port = service["environment"]["SIDEGLIDE_HEALTH_LISTEN"].rsplit(":", 1)[1]
    ports = [str(p) for p in service["ports"]]
    assert f"127.0.0.1:{listen_port}:{listen_port}" in ports
    assert all(p.startswith("127.0.0.1:") for p in ports)


# --- systemd ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((DEPLOY / "sideglide.service").read_text())
    return parser


def test_unit_runs_sideglide_from_the_venv_and_restarts(unit: configparser.ConfigParser) -> None:
    service = unit["Service"]
    assert shlex.split(service["ExecStart"]) == ["/opt/sideglide/.venv/bin/sideglide", "run"]
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"].lstrip("-").startswith("/etc/")
    assert service.get("User") == "sideglide" or service.get("DynamicUser") == "yes"
    assert service["StateDirectory"] == "sideglide"
    assert "SIDEGLIDE_DB=/var/lib/sideglide/" in service["Environment"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert "network-online.target" in unit["Unit"]["After"]


def test_unit_is_hardened(unit: configparser.ConfigParser) -> None:
    service = unit["Service"]
    expected = {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "RestrictSUIDSGID": "yes",
        "CapabilityBoundingSet": "",
    }
    assert {k: service.get(k) for k in expected} == expected
    assert "/var/lib/sideglide" in service["ReadWritePaths"].split()


# --- .env.example ----------------------------------------------------------------------


def test_env_example_names_and_explains_every_variable() -> None:
    from bot.config import Settings

    lines = (DEPLOY / ".env.example").read_text().splitlines()
    for name in sorted({*ENV_VARS, *Settings.model_fields}):
        at = [i for i, line in enumerate(lines) if re.match(rf"#?\s*{name}=", line)]
        assert len(at) == 1, f"{name} should appear exactly once as an assignment"
        above = lines[at[0] - 1]
        assert above.startswith("#") and not re.match(r"#?\s*[A-Z_]+=", above), (
            f"{name} has no comment explaining it"
        )


def test_env_example_shows_the_documented_defaults() -> None:
    text = (DEPLOY / ".env.example").read_text()
    for default in (
        "SIDEGLIDE_PROGRESS_AFTER=3",
        "SIDEGLIDE_HEALTH_LISTEN=127.0.0.1:8081",
        "SIDEGLIDE_REMINDER_RATE=25",
        "SIDEGLIDE_LOG_FORMAT=text",
    ):
        assert re.search(rf"^#?\s*{re.escape(default)}$", text, re.MULTILINE), default


def test_compose_replicas_two_bots_on_postgresql_behind_the_proxy(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert "profiles" not in services["sideglide"]  # the default stays SQLite, one bot
    replicas = [services["sideglide-a"], services["sideglide-b"]]
    for bot in replicas:
        assert bot["profiles"] == ["replicas"]
        assert bot["environment"]["SIDEGLIDE_DB"].startswith("postgresql://")
        assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert bot["environment"]["SIDEGLIDE_LISTEN"].endswith(":8443")
    assert services["postgres"]["profiles"] == ["replicas"]
    conf = (DEPLOY / "nginx.conf").read_text()
    upstream = re.findall(r"server (sideglide-[ab]):8443", conf)
    assert upstream == ["sideglide-a", "sideglide-b"]
    mounted = [v.split(":")[0] for v in services["proxy"]["volumes"]]
    assert "./nginx.conf" in mounted


# --- transport and data at rest (issue 26) ---------------------------------------------


def test_the_webhook_listens_on_loopback_by_default_and_on_every_interface_in_the_container(
    compose: dict[str, Any], dockerfile: list[tuple[str, str]]
) -> None:
    from bot.config import Settings

    default = Settings.model_fields["SIDEGLIDE_LISTEN"].default
    assert default == "127.0.0.1:8443"
    text = (DEPLOY / ".env.example").read_text()
    assert re.search(rf"^#\s*SIDEGLIDE_LISTEN={re.escape(default)}$", text, re.MULTILINE)
    assert "at least 32 characters" in text
    assert compose["services"]["sideglide"]["environment"]["SIDEGLIDE_LISTEN"] == "0.0.0.0:8443"
    assert env_pairs(final_stage(dockerfile))["SIDEGLIDE_LISTEN"] == "0.0.0.0:8443"
    # published on the host's loopback only, behind the TLS proxy
    ports = [str(p) for p in compose["services"]["sideglide"].get("ports", [])]
    assert all(p.startswith("127.0.0.1:") for p in ports)
    assert "client_max_body_size 1m;" in (DEPLOY / "nginx.conf").read_text()


def test_the_data_folders_are_the_bots_users_alone(
    unit: configparser.ConfigParser, dockerfile: list[tuple[str, str]]
) -> None:
    assert unit["Service"]["StateDirectoryMode"] == "0700"
    assert any(k == "RUN" and "chmod 0700 /data" in a for k, a in dockerfile)
