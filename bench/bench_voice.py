"""What a voice note costs: cold (espeak-ng + ffmpeg) against a cache hit, a guided set,
and pre-rendering one language the way `sideglide render-audio` does.

Prints numbers, asserts nothing. The baseline is the cold path measured in the same
run; targets: a cache hit >= 100x faster than cold, one language rendered in < 60 s.
Uses a temporary cache directory and espeak-ng (no network).

    .venv/bin/python bench/bench_voice.py [--lang en] [--texts FILE] [--samples 6]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.voice.encode import encode_voice, missing_tools, probe
from bot.voice.guided import GuidedJob, GuidedReps
from bot.voice.prerender import progress_bar, render_all
from bot.voice.service import VoiceService
from bot.voice.tts import EspeakBackend

HIT_TARGET_RATIO = 100.0
RENDER_TARGET_S = 60.0

# Placeholders of realistic length (15-25 words), like the real instruction steps.
SENTENCES = [
    "Stand with your body sideways to a wall, your feet about thirty to forty five "
    "centimetres away from it.",
    "The painful side faces away from the wall, so the shoulder on your other side is "
    "the one that touches it.",
    "Bend the elbow that is closest to the wall and tuck it gently into your side before "
    "you go on.",
    "Lean that shoulder against the wall and let the wall take a little of your weight "
    "while you breathe normally.",
    "Put your other hand on the hip that is farthest from the wall, with your fingers "
    "pointing toward the floor.",
    "Slowly press your hips toward the wall so that they glide under your rib cage, "
    "keeping your shoulders level.",
    "Hold the end position for two to three seconds, then slowly relax and let your hips "
    "slide back to the start.",
    "Do not swing your hips away from the wall; just relax and let them return on their "
    "own, without any jerky movement.",
    "With each repetition, try to push your hips a little closer to the wall than the "
    "time before, as far as comfortable.",
    "After ten repetitions, step away from the wall without shifting your hips, keeping "
    "your pelvis directly under you.",
    "Pain moving out of your leg and closer to your spine is a good sign, even if the "
    "middle of your back hurts more.",
    "If the pain spreads further down your leg or gets worse, stop this exercise now and "
    "see a physical therapist soon.",
]

GUIDED_SETS = [
    ("glide", 3.0, 2.0),
    ("press your hips", 3.0, 2.0),
    ("press up", 2.0, 2.0),
    ("push up and hold", 2.5, 2.5),
]


def step_texts(count: int) -> list[str]:
    """`count` distinct step texts; distinct so each is a real cold synthesis."""
    return [f"Step {i + 1}. {SENTENCES[i % len(SENTENCES)]}" for i in range(count)]


def guided_jobs(lang: str) -> list[GuidedJob]:
    jobs = []
    for i, (cue, hold_s, rest_s) in enumerate(GUIDED_SETS):
        setup = tuple(SENTENCES[(i + k) % len(SENTENCES)] for k in range(6))
        reps = GuidedReps(
            cue=cue,
            hold="hold",
            counts=("two", "three"),
            release="release",
            reps=10,
            hold_s=hold_s,
            rest_s=rest_s,
            outro=(SENTENCES[9],),
        )
        jobs.append(GuidedJob(lang, setup, reps))
    return jobs


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.2f} ms"


async def cold_and_hit(root: Path, lang: str, samples: int) -> tuple[float, float, float]:
    texts = step_texts(samples)
    espeak = EspeakBackend()
    synth, encode = [], []
    for i, text in enumerate(texts):  # the two halves of a cold clip, separately
        wav, ogg = root / f"s{i}.wav", root / f"s{i}.ogg"
        t0 = time.perf_counter()
        espeak.synthesize(text, lang, wav)
        t1 = time.perf_counter()
        encode_voice(wav, ogg)
        synth.append(t1 - t0)
        encode.append(time.perf_counter() - t1)
    print(f"  espeak-ng synthesize      {ms(statistics.mean(synth))}  (mean of {samples})")
    print(f"  ffmpeg encode to opus     {ms(statistics.mean(encode))}")

    cold = []
    with VoiceService(root / "cache-a", "espeak") as voice:
        await voice.clip("warm up the worker threads", lang)
        for text in texts:
            t0 = time.perf_counter()
            clip = await voice.clip(text, lang)
            cold.append(time.perf_counter() - t0)
            assert clip is not None
        durations = [probe(c.path).duration for c in [await voice.clip(texts[0], lang)] if c]
        print(
            f"  cold clip() (both + I/O)  {ms(statistics.mean(cold))}  "
            f"(a {durations[0]:.1f} s note)"
        )

        rounds = 2000
        t0 = time.perf_counter()
        for i in range(rounds):
            await voice.clip(texts[i % samples], lang)
        hit = (time.perf_counter() - t0) / rounds
        print(f"  cache hit clip()          {ms(hit)}  (mean of {rounds})")

    with VoiceService(root / "cache-a", "espeak") as fresh:  # after a restart
        first = []
        for text in texts:
            t0 = time.perf_counter()
            await fresh.clip(text, lang)
            first.append(time.perf_counter() - t0)
        print(f"  first hit after restart   {ms(statistics.mean(first))}  (reads the Ogg tail)")
    return statistics.mean(cold), hit, statistics.mean(first)


async def guided(root: Path, lang: str) -> float:
    job = guided_jobs(lang)[0]
    with VoiceService(root / "cache-g", "espeak") as voice:
        t0 = time.perf_counter()
        clip = await voice.guided_set(lang, list(job.setup_texts), job.reps)
        elapsed = time.perf_counter() - t0
    assert clip is not None
    info = probe(clip.path)
    print(
        f"  guided set (6 steps + 10 reps): {elapsed:6.2f} s for a {info.duration:.0f} s "
        f"note of {clip.size / 1024:.0f} KiB"
    )
    return elapsed


def cpu_seconds() -> float:
    """CPU used by this process and its finished children (espeak-ng, ffmpeg)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


async def render(root: Path, lang: str, texts: list[str]) -> float:
    jobs = guided_jobs(lang)
    sys.stdout.flush()
    cpu0 = cpu_seconds()
    with VoiceService(root / "cache-r", "espeak") as voice:
        report = await render_all(
            voice, [(t, lang) for t in texts], jobs, progress_bar(), workers=2
        )
    cpu = cpu_seconds() - cpu0
    print(
        f"  render_all: {report.total} notes ({len(texts)} steps + {len(jobs)} guided sets), "
        f"{report.ok} ok, {report.failed} failed"
    )
    print(f"  wall {report.elapsed_s:.1f} s, CPU {cpu:.1f} s (CPU / 2 cores: floor when idle)")
    return report.elapsed_s


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--texts", type=Path, help="one step text per line (default: 45)")
    parser.add_argument("--samples", type=int, default=6, help="distinct texts for cold timing")
    args = parser.parse_args()
    missing = missing_tools()
    if missing:
        print(f"needs {', '.join(missing)} on PATH", file=sys.stderr)
        return 2
    texts = (
        [line.strip() for line in args.texts.read_text().splitlines() if line.strip()]
        if args.texts
        else step_texts(45)
    )
    with tempfile.TemporaryDirectory(prefix="bench-voice-") as tmp:
        root = Path(tmp)
        print(f"voice bench, espeak-ng, lang={args.lang}")
        print("one step clip:")
        cold, hit, restart_hit = await cold_and_hit(root, args.lang, args.samples)
        ratio = cold / hit
        print(
            f"  cold / hit ratio          {ratio:9.0f}x  (target >= {HIT_TARGET_RATIO:.0f}x: "
            f"{'met' if ratio >= HIT_TARGET_RATIO else 'MISSED'})"
        )
        print(f"  cold / restart-hit ratio  {cold / restart_hit:9.0f}x")
        print("guided set:")
        await guided(root, args.lang)
        print("pre-render one language:")
        wall = await render(root, args.lang, texts)
        print(
            f"  target < {RENDER_TARGET_S:.0f} s: {'met' if wall < RENDER_TARGET_S else 'MISSED'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
