"""gTTS against stub endpoints on 127.0.0.1: a working one (batchexecute JSON with a real
base64 MP3), a hanging one, a trickling one and a closed port. Never the internet."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.voice.encode import probe
from bot.voice.guided import GuidedReps, spoken_texts
from bot.voice.service import VoiceService
from bot.voice.tts import GTTS_PATH, EspeakBackend, FallbackTTS, GTTSBackend, make_tts

TEXT = "Lean that shoulder against the wall."


pytestmark = pytest.mark.usefixtures("need_voice_tools")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)  # gTTS honours proxies even for 127.0.0.1


@pytest.fixture(scope="module")
def mp3() -> bytes:
    done = subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi"),
            *("-i", "sine=frequency=440:sample_rate=24000:duration=1.5"),
            *("-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "pipe:1"),
        ],
        capture_output=True,
        check=True,
    )
    return done.stdout


def batchexecute_answer(audio: bytes) -> bytes:
    """What Google's translate endpoint answers (the shape gTTS's stream() parses)."""
    compact = (",", ":")
    inner = json.dumps([base64.b64encode(audio).decode("ascii")], separators=compact)
    row = json.dumps(
        [["wrb.fr", "jQ1olc", inner, None, None, None, "generic"]], separators=compact
    )
    return f")]}}'\n\n{len(row)}\n{row}\n".encode()


class Stub:
    """A fake Google endpoint; `healthy` can be flipped to make it answer 503."""

    def __init__(self, audio: bytes) -> None:
        self.audio = audio
        self.healthy = True
        self.requests: list[tuple[str, str, str]] = []  # (path, text, lang)
        self.on_post: Callable[[], None] = lambda: None  # runs first on every request
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                stub.on_post()
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                freq = urllib.parse.parse_qs(body)["f.req"][0]
                text, lang, *_ = json.loads(json.loads(freq)[0][0][1])
                stub.requests.append((self.path, text, lang))
                if not stub.healthy:
                    self.send_error(503)
                    return
                answer = batchexecute_answer(stub.audio)
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Stub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def raw_server(
    serve: Callable[[socket.socket, threading.Event], None],
) -> Iterator[tuple[str, list[socket.socket]]]:
    """A TCP server whose connections get `serve(conn, stop)`; yields (base URL, conns)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    conns: list[socket.socket] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conns.append(conn)
            threading.Thread(target=serve, args=(conn, stop), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", conns
    finally:
        stop.set()
        acceptor.join()
        listener.close()
        for conn in conns:
            conn.close()


def hang(conn: socket.socket, stop: threading.Event) -> None:
    """Accept the request and never answer (what a dead route looks like)."""
    stop.wait()


def trickle(conn: socket.socket, stop: threading.Event) -> None:
    """Answer 200 and then one byte at a time, forever: no read timeout ever fires."""
    with contextlib.suppress(OSError):
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        while not stop.wait(0.05):
            conn.sendall(b" ")


class Counting:
    """Wraps a backend and counts what it is asked to say."""

    def __init__(self, inner: EspeakBackend) -> None:
        self.inner = inner
        self.name = inner.name
        self.calls: list[str] = []

    def synthesize(self, text: str, lang: str, out_path: Path) -> None:
        self.calls.append(text)
        self.inner.synthesize(text, lang, out_path)


def gtts_then_espeak(
    base_url: str,
    *,
    request_timeout_s: float = 0.5,
    deadline_s: float = 1.0,
    cooldown_s: float = 300.0,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[FallbackTTS, Counting]:
    espeak = Counting(EspeakBackend())
    gtts = GTTSBackend(
        base_url=base_url, request_timeout_s=request_timeout_s, deadline_s=deadline_s
    )
    return FallbackTTS(gtts, espeak, cooldown_s=cooldown_s, clock=clock), espeak


async def test_gtts_success_path_makes_a_voice_note(mp3: bytes, tmp_path: Path) -> None:
    with Stub(mp3) as stub:
        tts = make_tts("gtts", gtts_base_url=stub.url)
        with VoiceService(tmp_path, tts) as voice:
            clip = await voice.clip(TEXT, "en-GB")
    assert stub.requests == [(f"/{GTTS_PATH}", TEXT, "en")]
    assert clip is not None and clip.key.startswith("gtts-en-gb-")
    info = probe(clip.path)
    assert (info.codec, info.channels) == ("opus", 1)
    assert info.duration == pytest.approx(1.5, abs=0.15)  # the stub's MP3, not espeak
    assert (voice.misses, voice.failures, voice.fallbacks) == (1, 0, 0)


async def test_gtts_long_text_is_sent_in_parts_and_joined(mp3: bytes, tmp_path: Path) -> None:
    text = " ".join([TEXT] * 6)  # > 100 characters: gTTS splits it
    with Stub(mp3) as stub, VoiceService(tmp_path, make_tts("gtts", gtts_base_url=stub.url)) as v:
        clip = await v.clip(text, "en")
    assert len(stub.requests) >= 2
    assert clip is not None
    assert probe(clip.path).duration == pytest.approx(1.5 * len(stub.requests), rel=0.15)


async def test_hanging_gtts_falls_back_fast_and_logs_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.voice")
    texts = [
        "Stand sideways to a wall.",
        "Bend the elbow nearest the wall.",
        "Hold, then release.",
    ]
    with raw_server(hang) as (url, conns):
        # the whole-call deadline is far off: only the request timeout can end the wait
        tts, espeak = gtts_then_espeak(url, request_timeout_s=0.5, deadline_s=600, cooldown_s=300)
        with VoiceService(tmp_path, tts) as voice:
            async with asyncio.timeout(120):  # a hang guard, not a time limit
                clips = [await voice.clip(t, "en") for t in texts]
    assert len(conns) == 1  # the breaker kept the next clips away from the dead host
    assert all(c is not None and c.key.startswith("espeak-en-") for c in clips)
    assert espeak.calls == texts
    assert voice.fallbacks == 3 and voice.failures == 0
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    message = warnings[0].getMessage()
    assert "gtts" in message
    # the request's own timeout gave up on the silent host (gTTS words it "Failed to
    # connect"), not the whole-call deadline
    assert "Failed to connect" in message and "no audio within" not in message, message
    assert not any(t in r.getMessage() for r in caplog.records for t in texts)


async def test_trickling_gtts_is_cut_by_the_overall_deadline(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.voice")
    with raw_server(trickle) as (url, _):
        # a byte every 50 ms: the 5 s request timeout (the default) never fires
        tts, _ = gtts_then_espeak(url, request_timeout_s=5.0, deadline_s=1.0)
        with VoiceService(tmp_path, tts) as voice:
            async with asyncio.timeout(120):  # a hang guard, not a time limit
                clip = await voice.clip(TEXT, "en")
    assert clip is not None and clip.key.startswith("espeak-")
    # the whole-call deadline is what gave up on it
    [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "no audio within 1s" in warning, warning


async def test_unreachable_gtts_falls_back(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]  # closed again before use: connection refused
    tts, espeak = gtts_then_espeak(f"http://127.0.0.1:{port}")
    with VoiceService(tmp_path, tts) as voice:
        clip = await voice.clip(TEXT, "de")
    assert clip is not None and clip.key.startswith("espeak-de-")
    assert espeak.calls == [TEXT]


async def test_a_guided_set_falls_back_as_a_whole(mp3: bytes, tmp_path: Path) -> None:
    """gTTS dies halfway through a note: every word is re-spoken by espeak-ng."""
    reps = GuidedReps("glide", "hold", ("two", "three"), "release", reps=2, rest_s=0.5)
    setup = ["Lean your shoulder on the wall.", "Hand on the far hip."]
    with Stub(mp3) as stub:
        tts, espeak = gtts_then_espeak(stub.url)
        answered = 0

        def flaky() -> None:
            nonlocal answered
            answered += 1
            stub.healthy = answered <= 3

        stub.on_post = flaky
        with VoiceService(tmp_path, tts) as voice:
            clip = await voice.guided_set("en", setup, reps)
    assert answered == 4  # three words from gTTS, then the failure
    assert clip is not None and clip.key.startswith("espeak-en-guided-")
    assert espeak.calls == spoken_texts(setup, reps)  # all of them, not the rest only


async def test_gtts_is_tried_again_after_the_cooldown(mp3: bytes, tmp_path: Path) -> None:
    now = [0.0]
    with Stub(mp3) as stub:
        stub.healthy = False
        tts, _ = gtts_then_espeak(stub.url, cooldown_s=60, clock=lambda: now[0])
        with VoiceService(tmp_path, tts) as voice:
            down = await voice.clip(TEXT, "en")
            resting = await voice.clip("Another step.", "en")
            stub.healthy = True
            now[0] = 61.0
            back = await voice.clip(TEXT, "en")
    assert down is not None and down.key.startswith("espeak-")
    assert resting is not None and resting.key.startswith("espeak-")
    assert len(stub.requests) == 2  # nothing sent while resting
    assert back is not None and back.key.startswith("gtts-")  # the better voice returns
    assert probe(back.path).duration == pytest.approx(1.5, abs=0.15)
