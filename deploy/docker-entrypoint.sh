#!/bin/sh
# Container entrypoint: on the first `sideglide run` with an empty audio cache, render
# every animation and voice clip in the background so the first users are not the ones who wait for
# encoding. The bot starts immediately either way: a clip missing from the cache is
# rendered on demand.
set -eu

cache="${SIDEGLIDE_AUDIO_CACHE:-/data/audio}"

if [ "${1:-}" = "sideglide" ] && [ "${2:-}" = "run" ]; then
    mkdir -p "$cache"
    if [ -z "$(ls -A "$cache" 2>/dev/null)" ]; then
        echo "docker-entrypoint: audio cache $cache is empty; pre-rendering in the background" >&2
        sideglide render-media </dev/null &
    fi
fi

exec "$@"
