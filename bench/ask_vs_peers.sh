#!/usr/bin/env bash
# Side by side, on one ollama-sim stream of N tokens (as fast as it can): curl (the raw limit: the
# body to /dev/null, nothing parsed), `yollayah ask` (parses, relays through the Conductor, prints
# the answer) and the official ollama npm client (parses, prints each part as its README shows).
# Each run times all three one after the other against the same sim; the answer each printed is
# checked. Prints wall time, tokens/s, CPU time (user+sys) and the share of curl's rate.
#
#   bench/ask_vs_peers.sh [--tokens N] [--runs R] [--build-dir DIR]   (DIR relative to the checkout, or absolute)
#
# Needs build/bin/{ollama-sim,yollayah} (scripts/build dev ollama-sim yollayah) and, for the npm
# client, node with bench/npm/node_modules (scripts/setup runs `npm ci` there when npm is present).
set -euo pipefail

tokens=200000
runs=5
build_dir=build
while [ $# -gt 0 ]; do
  case "$1" in
    --tokens) tokens=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    *) echo "usage: $0 [--tokens N] [--runs R] [--build-dir DIR]" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
case "$build_dir" in
  /*) bin=$build_dir/bin ;;
  *) bin=$root/$build_dir/bin ;;
esac
for b in ollama-sim yollayah; do
  [ -x "$bin/$b" ] || { echo "ask_vs_peers: $bin/$b is missing (scripts/build dev ollama-sim yollayah)" >&2; exit 1; }
done
npm_client=$root/bench/npm/ollama_chat.mjs
have_npm=yes
if ! command -v node >/dev/null 2>&1 || [ ! -d "$root/bench/npm/node_modules/ollama" ]; then
  have_npm=no
  echo "ask_vs_peers: the npm client is skipped (needs node and bench/npm/node_modules: run scripts/setup)" >&2
fi

tmp=$(mktemp -d /tmp/yolla-peers-XXXXXX)
sim_pid=
cleanup() {
  if [ -n "$sim_pid" ]; then
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$bin/ollama-sim" --port 0 --seed 1 --tokens "$tokens" --tokens-per-sec 0 >"$tmp/sim.out" 2>"$tmp/sim.err" &
sim_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/sim.out")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "ask_vs_peers: ollama-sim did not start: $(cat "$tmp/sim.err")" >&2; exit 1; }

# The answer is longer than ask's default cap (max_answer_bytes, 1 MiB): lift it.
mkdir -p "$tmp/config/ai-way"
printf '[conductor]\nmax_answer_bytes = 1073741824\n' >"$tmp/config/ai-way/conductor.toml"

body='{"model":"sim","messages":[{"role":"user","content":"go"}],"stream":true}'
run_curl() { curl -sS -N -o /dev/null -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/api/chat"; }
run_ask() { XDG_CONFIG_HOME="$tmp/config" "$bin/yollayah" ask --host "127.0.0.1:$port" --model sim go >"$tmp/ask.txt"; }
run_npm() { node "$npm_client" "http://127.0.0.1:$port" sim go >"$tmp/npm.txt"; }

# Runs one client; prints "wall user sys" in seconds (bash's time: the process and its children).
timed() {
  local TIMEFORMAT='%R %U %S'
  { time "$@" 2>"$tmp/err.txt"; } 2>&1
}

clients=(curl ask)
[ "$have_npm" = yes ] && clients+=(npm)
echo "ask_vs_peers: $tokens tokens from ollama-sim (127.0.0.1:$port), $runs runs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %-5s %9s %12s %9s %9s\n' run client wall_s tokens_per_s cpu_s of_curl
declare -A walls
for r in $(seq "$runs"); do
  curl_wall=
  for c in "${clients[@]}"; do
    read -r wall user sys < <(timed "run_$c")
    [ -s "$tmp/err.txt" ] && { echo "ask_vs_peers: $c said: $(head -c 300 "$tmp/err.txt")" >&2; exit 1; }
    [ "$c" = curl ] && curl_wall=$wall
    walls[$c]+="$wall "
    awk -v r="$r" -v c="$c" -v w="$wall" -v u="$user" -v s="$sys" -v n="$tokens" -v cw="$curl_wall" \
      'BEGIN { printf "%-4s %-5s %9.3f %12.0f %9.3f %8.0f%%\n", r, c, w, n / w, u + s, 100 * cw / w }'
  done
  # Both parsing clients must have printed the same whole answer.
  if [ "$have_npm" = yes ] && ! cmp -s "$tmp/ask.txt" "$tmp/npm.txt"; then
    echo "ask_vs_peers: ask and the npm client printed different answers ($(wc -c <"$tmp/ask.txt") and $(wc -c <"$tmp/npm.txt") bytes)" >&2
    exit 1
  fi
done

echo "medians:"
for c in "${clients[@]}"; do
  # shellcheck disable=SC2086 # the list of times is meant to split
  median=$(printf '%s\n' ${walls[$c]} | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  awk -v c="$c" -v w="$median" -v n="$tokens" 'BEGIN { printf "  %-5s %9.3f s %12.0f tokens/s\n", c, w, n / w }'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); answer: $(wc -c <"$tmp/ask.txt") bytes"
