#!/usr/bin/env bash
# yollayah.sh: one command from a fresh machine to chatting with Yollayah. It installs the missing
# packages, builds, finds or starts Ollama, prepares the `yollayah` model and opens the chat screen;
# with no Ollama to be had, it opens the demo against ollama-sim. `./yollayah.sh --help` says more.
#
# The only synchronous part of the system: everything it starts in the background is recorded by
# PID and stopped on exit, Ctrl+C included, unless it was started for the daemon (`daemon`), whose
# helpers `stop` ends. It never signals a process it did not start.
set -Eeuo pipefail

root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
me=$0
bin_dir=${YOLLAYAH_BIN_DIR:-$root/build/bin}
home=${HOME:-/tmp}
data_dir=${XDG_DATA_HOME:-$home/.local/share}/ai-way
log_dir=${XDG_STATE_HOME:-$home/.local/state}/ai-way/logs
if [ -n "${XDG_RUNTIME_DIR:-}" ]; then run_dir=$XDG_RUNTIME_DIR/ai-way; else run_dir=/tmp/ai-way-$(id -u); fi
socket=${CONDUCTOR_SOCKET:-$run_dir/conductor.sock}
pid_file=$(dirname "$socket")/conductor.pid
daemon_state=$(dirname "$socket")/yollayah-sh.state  # what `daemon` started, for `status` and `stop`
gateway_url_file=$(dirname "$socket")/gateway.url   # conductord's HTTP listener, when it has one
token_file=$(dirname "$socket")/session.token
http_flag=()  # `web` asks cmd_daemon for the HTTP listener

model_name=yollayah
test_model=qwen2:0.5b
model_params='{"temperature":0.8,"num_ctx":4096,"num_predict":512}'
banner="Demo mode: answers come from ollama-sim, a simulated model (ask it for code, a table, a plan or a joke, or to review something to see its family of helpers at work). For real answers install Ollama (https://ollama.com) and run ./yollayah.sh again."

usage() {
  cat <<EOF
Usage: ./yollayah.sh [SUBCOMMAND] [--test] [--demo]

One command from a fresh Debian machine to chatting with Yollayah, the axolotl in your terminal.

Subcommands:
  start     (the default) install the missing packages (scripts/setup), build what changed,
            find Ollama at \$OLLAMA_HOST or 127.0.0.1:11434 (or start \`ollama serve\` if the
            ollama command is installed, and stop it again on exit), pull the base model with a
            progress bar, create the \`yollayah\` model (the personality prompt, temperature 0.8,
            num_ctx 4096, num_predict 512; only when the base model or the prompt changed), and
            open the chat screen. With no Ollama to be had it opens the demo instead.
  demo      the demo: the chat screen against ollama-sim, a simulated model, with a banner
            saying so; stopped again when you quit
  prepare   everything \`start\` does except opening the chat screen (stops what it started)
  daemon    start conductord in the background, against Ollama as above (or the demo's
            ollama-sim, which then runs until \`stop\`); the socket is \$CONDUCTOR_SOCKET or
            \$XDG_RUNTIME_DIR/ai-way/conductor.sock, the PID file conductor.pid beside it
  connect   open the chat screen attached to the running conductord
  web       the web page: start conductord as \`daemon\` does, with its HTTP listener on
            \$YOLLAYAH_HTTP (default 127.0.0.1:0, a free port), or reuse a running one that
            has it, and print the page's URL with the token (keep it private). The same port
            serves the Ollama- and OpenAI-compatible API and /metrics (Bearer token)
  stop      stop conductord (only if its PID file names a conductord) and what \`daemon\`
            started for it
  status    whether conductord and Ollama run, the socket, the model in use (exit 0 when
            conductord runs, 3 when it does not)
  model     print the base model this machine gets, and why
  test      the whole test suite (scripts/test, what CI runs)

Options:
  --test    use a tiny base model (qwen2:0.5b), as for testing
  --demo    the demo even if an Ollama answers (\`start --demo\` is \`demo\`; also for daemon)
  -h, --help  this text

The base model: with an NVIDIA GPU, 12 GB of VRAM or more gets llama3.1:8b, 6 GB or more
llama3.2:3b, less llama3.2:1b; without one, 16 GB of RAM or more gets llama3.2:3b, less
llama3.2:1b (0.5 GB of slack for reserved memory). YOLLAYAH_MODEL=NAME chooses it instead.

Environment:
  OLLAMA_HOST       the Ollama server: host, host:port or a URL (default 127.0.0.1:11434)
  YOLLAYAH_MODEL    the base model (see above)
  CONDUCTOR_SOCKET  conductord's socket
  YOLLAYAH_HTTP     ADDR:PORT of the HTTP listener for \`web\` (default 127.0.0.1:0)
  YOLLAYAH_NO_BUILD=1  skip scripts/setup and the build (the binaries must exist)
  YOLLAYAH_BIN_DIR  where the binaries are (default: build/bin beside this script)
  YOLLAYAH_LOG_LEVEL  conductord's log level for daemon (default info)
  YOLLAYAH_MEMINFO  read the RAM from this file instead of /proc/meminfo (for tests)

Files: the model stamp in \$XDG_DATA_HOME/ai-way (~/.local/share/ai-way), logs (build, ollama
serve, ollama-sim, conductord) in \$XDG_STATE_HOME/ai-way/logs (~/.local/state/ai-way/logs).
Every failure ends with one line saying what to do; Ctrl+C at any step stops what was started.
EOF
}

# ---- output, failure, cleanup ----

say() { printf 'yollayah: %s\n' "$*"; }
die() {
  finish_progress_line
  printf 'yollayah: %s\n' "$*" >&2
  exit 1
}
usage_error() {
  printf 'yollayah: %s\n' "$*" >&2
  exit 2
}

progress_line_open=0  # a progress bar is being redrawn on the terminal's current line
finish_progress_line() {
  if [ "$progress_line_open" = 1 ]; then printf '\n'; fi
  progress_line_open=0
}

tmp=""
started=()          # "PID NAME" of what this run started and must stop on exit
daemon_starting=0   # conductord --daemonize is being started by this run

# True while the process exists and is not a zombie.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# The process's command name, and the base name of its executable.
is_process() {  # PID NAME
  local comm exe
  comm=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
  exe=$(readlink "/proc/$1/exe" 2>/dev/null) || exe=""
  exe=${exe% (deleted)}
  [ "$comm" = "$2" ] || [ "${exe##*/}" = "$2" ]
}

# "PID NAME START": the process, its command name and its start time (clock ticks after boot), which
# together name it even after its PID is reused.
identity() {  # PID
  local stat fields comm
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  comm=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
  read -ra fields <<<"${stat##*) }"
  printf '%s %s %s\n' "$1" "$comm" "${fields[19]}"
}

# Stops one process: SIGTERM, then SIGKILL after 5 s; reaps it if it is our child.
stop_pid() {  # PID
  local pid=$1
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local entry pid
  for entry in "${started[@]}"; do
    pid=${entry%% *}
    stop_pid "$pid"
  done
  started=()
  if [ "$daemon_starting" = 1 ]; then
    daemon_starting=0
    pid=$(read_pid "$pid_file")
    if [ -n "$pid" ] && is_process "$pid" conductord; then stop_pid "$pid"; fi
  fi
  if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
  tmp=""
}

on_signal() {  # EXIT_CODE
  trap '' INT TERM HUP
  finish_progress_line
  local what=""
  if [ ${#started[@]} -gt 0 ] || [ "$daemon_starting" = 1 ]; then what="; stopping what this run started"; fi
  printf '\nyollayah: interrupted%s\n' "$what" >&2
  cleanup
  exit "$1"
}

on_error() {  # LINE EXIT_CODE COMMAND: a failure nobody anticipated still gets one clear line
  if [ "$BASH_SUBSHELL" = 0 ]; then
    finish_progress_line
    printf 'yollayah: unexpected failure (exit %s) at line %s of %s: %s; please report it\n' "$2" "$1" "$me" "$3" >&2
  fi
}

trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP
trap 'on_error "$LINENO" "$?" "$BASH_COMMAND"' ERR

read_pid() {  # FILE: prints the PID in it, or nothing
  local pid=""
  if [ -r "$1" ]; then read -r pid <"$1" || true; fi
  case $pid in '' | *[!0-9]*) ;; *) printf '%s\n' "$pid" ;; esac
}

# ---- packages and build ----

need_tools() {
  local t
  for t in curl jq sha256sum setsid; do
    command -v "$t" >/dev/null 2>&1 || die "$t is missing; run scripts/setup (as root) and try again"
  done
}

need_binaries() {
  local b
  for b in yollayah conductord ollama-sim; do
    [ -x "$bin_dir/$b" ] || return 1
  done
}

ensure_built() {
  mkdir -p "$log_dir"
  if [ "${YOLLAYAH_NO_BUILD:-}" = 1 ]; then
    need_binaries || die "YOLLAYAH_NO_BUILD=1 but $bin_dir lacks yollayah, conductord or ollama-sim; unset it, or run scripts/build dev"
    need_tools
    return 0
  fi
  "$root/scripts/setup" || die "installing the packages failed (the reason is above); fix apt (network, sources) and run $me again"
  need_tools
  local stamp=$root/build/.yollayah-sh.stamp changed=""
  if [ -f "$stamp" ] && need_binaries; then
    changed=$(find "$root/src" "$root/apps" "$root/cmake" "$root/CMakeLists.txt" "$root/CMakePresets.json" \
      "$root/warnings.cmake" -newer "$stamp" -print -quit 2>/dev/null || true)
    if [ -z "$changed" ]; then
      say "build up to date"
      return 0
    fi
  fi
  say "building yollayah, conductord and ollama-sim (the first build takes several minutes; log: $log_dir/build.log)"
  mkdir -p "$root/build"
  : >"$stamp.new"  # taken before the build: a source edited during it triggers the next one
  if ! "$root/scripts/build" dev yollayah conductord ollama-sim 2>&1 | tee "$log_dir/build.log" | show_build_progress; then
    finish_progress_line
    tail -n 20 "$log_dir/build.log" >&2
    rm -f "$stamp.new"
    die "the build failed (its end is above, all of it in $log_dir/build.log); fix it and run $me again"
  fi
  finish_progress_line
  mv "$stamp.new" "$stamp"
}

# Ninja's "[12/340] …" lines as one counter on a terminal; nothing otherwise.
show_build_progress() {
  local line open=0
  while IFS= read -r line; do
    if [ -t 1 ] && [[ $line =~ ^\[([0-9]+)/([0-9]+)\] ]]; then
      printf '\r\033[K  compiling: %s of %s' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
      open=1
    fi
  done
  if [ "$open" = 1 ]; then printf '\r\033[K'; fi
}

# ---- Ollama ----

ollama_url=""   # scheme://host:port
ollama_host=""  # host (brackets kept for IPv6)
ollama_port=""

# OLLAMA_HOST as Ollama reads it: host, host:port or a URL; http:// alone means port 80.
resolve_ollama_host() {
  local s=${OLLAMA_HOST:-} scheme=http port=11434 hostport host
  s=${s//[[:space:]]/}
  case $s in
    *://*)
      scheme=${s%%://*}
      s=${s#*://}
      case $scheme in http) port=80 ;; https) port=443 ;; esac
      ;;
  esac
  hostport=${s%%/*}
  if [[ $hostport =~ ^\[(.*)\]:([0-9]+)$ ]]; then
    host="[${BASH_REMATCH[1]}]" port=${BASH_REMATCH[2]}
  elif [[ $hostport =~ ^\[(.*)\]$ ]]; then
    host=$hostport
  elif [[ $hostport =~ ^([^:]*):([0-9]+)$ ]]; then
    host=${BASH_REMATCH[1]} port=${BASH_REMATCH[2]}
  elif [[ $hostport == *:*:* ]]; then
    host="[$hostport]"
  else
    host=$hostport
  fi
  case $host in '' | 0.0.0.0) host=127.0.0.1 ;; '[::]') host='[::1]' ;; esac
  ollama_host=$host
  ollama_port=$port
  ollama_url=$scheme://$host:$port
}

is_local_host() {
  case $ollama_host in 127.* | localhost | '[::1]') return 0 ;; *) return 1 ;; esac
}

# True when an HTTP server answers at the URL (any status: a broken one fails later, clearly).
answers() {  # URL
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 5 "$1/api/version" 2>/dev/null) || true
  [ -n "$code" ] && [ "$code" != 000 ]
}

server_version() {  # URL
  local v
  v=$(curl -s --max-time 5 "$1/api/version" 2>/dev/null | jq -r '.version // empty' 2>/dev/null) || v=""
  printf '%s\n' "${v:-unknown}"
}

# Starts `ollama serve` when the command exists and OLLAMA_HOST is this machine; waits up to
# 10 × 1 s. KEEP=1 detaches it for the daemon and leaves it running; otherwise it stops on exit.
start_ollama_serve() {  # KEEP
  local keep=$1 pid log=$log_dir/ollama.log
  command -v ollama >/dev/null 2>&1 || return 1
  if ! is_local_host; then
    say "no Ollama answers at $ollama_url, which is another machine: start Ollama there"
    return 1
  fi
  say "starting ollama serve on $ollama_host:$ollama_port (log: $log)"
  mkdir -p "$log_dir"
  if [ "$keep" = 1 ]; then
    OLLAMA_HOST=$ollama_host:$ollama_port OLLAMA_KEEP_ALIVE=24h setsid ollama serve </dev/null >>"$log" 2>&1 &
  else
    OLLAMA_HOST=$ollama_host:$ollama_port OLLAMA_KEEP_ALIVE=24h ollama serve </dev/null >>"$log" 2>&1 &
  fi
  pid=$!
  started+=("$pid ollama")
  for _ in $(seq 10); do
    sleep 1
    if answers "$ollama_url"; then
      started_ollama_pid=$pid
      return 0
    fi
    alive "$pid" || break
  done
  if alive "$pid"; then
    say "ollama serve did not answer within 10 s (see $log)"
  else
    say "ollama serve exited at once (see $log)"
  fi
  stop_pid "$pid"
  forget_started "$pid"
  return 1
}
started_ollama_pid=""

forget_started() {  # PID
  local e kept=()
  for e in "${started[@]}"; do
    if [ "${e%% *}" != "$1" ]; then kept+=("$e"); fi
  done
  started=("${kept[@]}")
}

# The demo's answers: ollama-sim's demo persona (apps/ollama-sim/demo, see its README.md) answers
# from the user's newest message (code, tables, plans, jokes…) at a model's pace; asked to review,
# audit or design something, it delegates to three of the family and sums up their reports.
sim_flags=(--demo "$root/apps/ollama-sim/demo")

# Starts ollama-sim on an ephemeral port; sets sim_url and sim_pid. KEEP=1 detaches it (daemon).
sim_url=""
sim_pid=""
start_sim() {  # KEEP
  local keep=$1 out port=""
  out=$tmp/sim.out
  mkdir -p "$log_dir"
  : >"$out"
  if [ "$keep" = 1 ]; then
    setsid "$bin_dir/ollama-sim" --port 0 "${sim_flags[@]}" </dev/null >"$out" 2>>"$log_dir/ollama-sim.log" &
  else
    "$bin_dir/ollama-sim" --port 0 "${sim_flags[@]}" </dev/null >"$out" 2>>"$log_dir/ollama-sim.log" &
  fi
  sim_pid=$!
  started+=("$sim_pid ollama-sim")
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$out")
    [ -n "$port" ] && break
    alive "$sim_pid" || break
    sleep 0.05
  done
  [ -n "$port" ] || die "ollama-sim did not start (see $log_dir/ollama-sim.log); run scripts/build dev ollama-sim and try again"
  sim_url=http://127.0.0.1:$port
}

# ---- the model ----

base_model=""
base_reason=""
choose_model() {  # TEST_MODE
  if [ -n "${YOLLAYAH_MODEL:-}" ] && [ "$YOLLAYAH_MODEL" != "$model_name" ]; then
    base_model=$YOLLAYAH_MODEL base_reason="YOLLAYAH_MODEL"
    return 0
  fi
  if [ "$1" = 1 ]; then
    base_model=$test_model base_reason="--test"
    return 0
  fi
  local vram_mb="" ram_kb=""
  if command -v nvidia-smi >/dev/null 2>&1; then
    vram_mb=$(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits 2>/dev/null |
      tr -dc '0-9\n' | sort -n | tail -n 1) || vram_mb=""
  fi
  if [ -n "$vram_mb" ] && [ "$vram_mb" -gt 0 ]; then
    base_reason="$((vram_mb / 1024)) GB of VRAM"
    if [ "$vram_mb" -ge 11776 ]; then
      base_model=llama3.1:8b
    elif [ "$vram_mb" -ge 5632 ]; then
      base_model=llama3.2:3b
    else
      base_model=llama3.2:1b
    fi
    return 0
  fi
  ram_kb=$(sed -n 's/^MemTotal:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "${YOLLAYAH_MEMINFO:-/proc/meminfo}" 2>/dev/null) || ram_kb=""
  ram_kb=${ram_kb:-0}
  base_reason="$(((ram_kb + 524288) / 1048576)) GB of RAM, no GPU"
  if [ "$ram_kb" -ge 16252928 ]; then base_model=llama3.2:3b; else base_model=llama3.2:1b; fi
}

normalise() {  # NAME: Ollama's name with the :latest tag made explicit
  local tail=${1##*/}
  case $tail in *:*) printf '%s\n' "$1" ;; *) printf '%s:latest\n' "$1" ;; esac
}

listed() {  # MODEL: true when the server lists it in /api/tags
  local want
  want=$(normalise "$1")
  curl -s --max-time 10 "$ollama_url/api/tags" 2>/dev/null |
    jq -e --arg m "$want" '[.models[]?.name | if test(":") then . else . + ":latest" end] | index($m) != null' \
      >/dev/null 2>&1
}

human_bytes() {  # BYTES
  local b=$1
  if [ "$b" -ge 1000000000 ]; then
    printf '%d.%d GB' $((b / 1000000000)) $((b % 1000000000 / 100000000))
  else
    printf '%d MB' $((b / 1000000))
  fi
}

# Reads "status␟total␟completed␟error" lines; draws a bar per layer (redrawn in place on a
# terminal, one line per 10 % otherwise); writes "success" or "error: …" to RESULT.
show_progress() {  # RESULT
  local result=$1 status total completed error last="" decile=-1 pct fill rest bar on="#" off="-" width=30
  local tty=0
  if [ -t 1 ]; then tty=1; fi
  case ${LC_ALL:-${LC_CTYPE:-${LANG:-}}} in *UTF-8* | *utf8* | *UTF8* | *utf-8*) on="█" off="░" ;; esac
  while IFS=$'\x1f' read -r status total completed error; do
    if [ -n "$error" ]; then
      printf 'error: %s\n' "$error" >"$result"
      continue
    fi
    if [ "$status" = success ]; then
      echo success >"$result"
      continue
    fi
    if [[ $total =~ ^[0-9]+$ ]] && [[ $completed =~ ^[0-9]+$ ]] && [ "$total" -gt 0 ]; then
      if [ "$status" != "$last" ]; then
        if [ "$progress_line_open" = 1 ]; then printf '\n'; fi
        progress_line_open=0 decile=-1
      fi
      pct=$((completed * 100 / total))
      [ "$pct" -le 100 ] || pct=100
      printf -v fill '%*s' $((pct * width / 100)) ''
      printf -v rest '%*s' $((width - pct * width / 100)) ''
      bar="  $status [${fill// /$on}${rest// /$off}] $(printf '%3d' "$pct")%  $(human_bytes "$completed") / $(human_bytes "$total")"
      if [ "$tty" = 1 ]; then
        printf '\r\033[K%s' "$bar"
        progress_line_open=1
      elif [ $((pct / 10)) != "$decile" ]; then
        printf '%s\n' "$bar"
        decile=$((pct / 10))
      fi
    elif [ -n "$status" ] && [ "$status" != "$last" ]; then
      if [ "$progress_line_open" = 1 ]; then printf '\n'; fi
      progress_line_open=0
      printf '  %s\n' "$status"
    fi
    last=$status
  done
  if [ "$progress_line_open" = 1 ]; then printf '\n'; fi
}

# POSTs a JSON body to an NDJSON-streaming endpoint (/api/pull, /api/create), showing the progress.
# On failure writes the reason to $tmp/why and returns 1.
stream_post() {  # PATH BODY_FILE
  local path=$1 body=$2 result=$tmp/result rc_file=$tmp/curl.rc why=$tmp/why r
  : >"$result"
  rm -f "$rc_file" "$why"
  {
    curl -sS -N --connect-timeout 5 -X POST -H 'Content-Type: application/json' \
      --data-binary @"$body" "$ollama_url$path" 2>"$tmp/curl.err" || echo "$?" >"$rc_file"
  } | jq -R -r --unbuffered 'fromjson? | objects |
        [(.status // "" | tostring), (.total // 0 | tostring), (.completed // 0 | tostring), (.error // "" | tostring)]
        | join("\u001f")' |
    show_progress "$result"
  if [ -s "$rc_file" ]; then
    printf 'could not talk to Ollama at %s (%s)\n' "$ollama_url" "$(head -n 1 "$tmp/curl.err")" >"$why"
    return 1
  fi
  r=$(cat "$result")
  case $r in
    success) return 0 ;;
    error:*) printf '%s\n' "${r#error: }" >"$why" ;;
    *) printf 'the answer ended before "success"\n' >"$why" ;;
  esac
  return 1
}

pull_model() {  # MODEL
  local model=$1
  if listed "$model"; then
    say "base model $model is already pulled"
    return 0
  fi
  say "pulling $model (Ctrl+C stops; the next run resumes)"
  jq -cn --arg m "$model" '{model: $m, stream: true}' >"$tmp/pull.json"
  if ! stream_post /api/pull "$tmp/pull.json"; then
    die "pulling $model failed: $(cat "$tmp/why"); check the name (YOLLAYAH_MODEL) and the network, then run $me again ($me demo opens the simulated model)"
  fi
}

stamp_file() {
  printf '%s/yollayah-model.%s.stamp\n' "$data_dir" "${ollama_url//[^A-Za-z0-9.-]/_}"
}

# Creates the `yollayah` model from BASE with the personality prompt, unless the stamp says this
# very base, prompt and parameters made the model that the server still lists.
create_model() {  # BASE
  local base=$1 prompt want stamp have=""
  prompt=$("$bin_dir/yollayah" --print-system-prompt) || die "$bin_dir/yollayah --print-system-prompt failed; run scripts/build dev yollayah and try again"
  [ -n "$prompt" ] || die "the personality prompt is empty; run scripts/build dev yollayah and try again"
  want=$(printf '%s\n%s\n%s\n' "$base" "$model_params" "$prompt" | sha256sum)
  want=${want%% *}
  stamp=$(stamp_file)
  if [ -r "$stamp" ]; then read -r have _ <"$stamp" || true; fi
  if [ "$have" = "$want" ] && listed "$model_name"; then
    say "model $model_name is up to date (from $base, same prompt): reusing it"
    return 0
  fi
  say "creating model $model_name from $base (personality prompt; temperature 0.8, num_ctx 4096, num_predict 512)"
  jq -cn --arg model "$model_name" --arg from "$base" --arg system "$prompt" --argjson parameters "$model_params" \
    '{model: $model, from: $from, system: $system, parameters: $parameters, stream: true}' >"$tmp/create.json"
  if ! stream_post /api/create "$tmp/create.json"; then
    die "creating $model_name from $base failed: $(cat "$tmp/why"); check that Ollama is up to date (0.5.5 or newer) and run $me again"
  fi
  mkdir -p "$data_dir"
  printf '%s %s\n' "$want" "$base" >"$stamp.tmp.$$"
  mv "$stamp.tmp.$$" "$stamp"
}

# ---- the chat screen ----

need_tty() {  # [URL MODEL]: with them, the line also says how to ask without a terminal
  if ! [ -t 0 ] || ! [ -t 1 ]; then
    if [ $# -eq 2 ]; then
      die "the chat screen needs a terminal: run $me in one, or ask from a script with $bin_dir/yollayah ask --host $1 --model $2 \"question\""
    fi
    die "the chat screen needs a terminal: run $me in one"
  fi
}

launch_tui() {  # URL MODEL BANNER [extra yollayah flags…]
  local url=$1 model=$2 text=$3 rc=0
  shift 3
  need_tty "$url" "$model"
  local env_vars=()
  if [ -n "$text" ]; then env_vars+=("YOLLAYAH_BANNER=$text"); fi
  env "${env_vars[@]}" "$bin_dir/yollayah" --host "$url" --model "$model" "$@" || rc=$?
  cleanup
  exit "$rc"
}

# The chat screen on the backends conductor.toml lists (no --host: the file decides).
launch_configured_tui() {
  local rc=0
  need_tty
  "$bin_dir/yollayah" || rc=$?
  cleanup
  exit "$rc"
}

run_demo() {  # WHY
  need_tty
  start_sim 0
  say "$1: opening the demo against ollama-sim, a simulated model, at $sim_url"
  launch_tui "$sim_url" "$model_name" "$banner"
}

# Finds the Ollama to use; returns 1 when there is none and none can be started. KEEP as above.
find_ollama() {  # KEEP
  resolve_ollama_host
  if answers "$ollama_url"; then
    say "Ollama at $ollama_url (version $(server_version "$ollama_url"))"
    return 0
  fi
  start_ollama_serve "$1"
}

# The model servers conductor.toml lists ([[backend]] entries), probed by `yollayah backends`.
# True when the file lists any; then backends_up says whether one answers. A broken file stops
# the script with the binary's own line (it names the file, the line and the fix).
backends_json="" backends_up=0
configured_backends() {
  local rc=0
  backends_json=$("$bin_dir/yollayah" backends --json 2>"$tmp/backends.err") || rc=$?
  if [ "$rc" = 2 ]; then die "$(sed 's/^yollayah: //' "$tmp/backends.err"); fix it and run $me again"; fi
  if [ "$rc" = 0 ]; then backends_up=1; else backends_up=0; fi
  [ -n "$backends_json" ] && [ "$(jq -r '.configured' <<<"$backends_json")" = true ]
}

say_backends() {
  local line
  while IFS= read -r line; do say "$line"; done < <(jq -r '.backends[] | "backend \(.name) (\(.kind) at \(.url)): " +
      (if .up then "up, \(.models | length) model(s)" + (if .tls_insecure then ", tls_insecure: certificate not checked" else "" end)
       else "down: \(.error)" end)' <<<"$backends_json")
}

no_ollama_reason() {
  if command -v ollama >/dev/null 2>&1; then
    printf 'no Ollama at %s' "$ollama_url"
  else
    printf 'no Ollama at %s and no ollama command to start one' "$ollama_url"
  fi
}

# ---- subcommands ----

cmd_start() {  # PREPARE_ONLY
  local prepare_only=$1
  ensure_built
  if [ "$demo_mode" = 1 ]; then
    [ "$prepare_only" = 0 ] || usage_error "prepare has nothing to prepare for the demo; run $me demo"
    run_demo "--demo"
  fi
  if configured_backends; then
    # conductor.toml names the servers: they are used as they are (no model is pulled or made).
    say_backends
    if [ "$backends_up" = 0 ]; then
      [ "$prepare_only" = 0 ] || die "no backend that conductor.toml lists answers; start one, then run $me prepare again"
      run_demo "no backend that conductor.toml lists answers"
    fi
    if [ "$prepare_only" = 1 ]; then
      say "ready: the backends conductor.toml lists"
      return 0
    fi
    launch_configured_tui
  fi
  if ! find_ollama 0; then
    if [ "$prepare_only" = 1 ]; then
      die "$(no_ollama_reason); install Ollama (https://ollama.com) or set OLLAMA_HOST, then run $me prepare again"
    fi
    run_demo "$(no_ollama_reason)"
  fi
  choose_model "$test_mode"
  say "base model $base_model ($base_reason)"
  pull_model "$base_model"
  create_model "$base_model"
  if [ "$prepare_only" = 1 ]; then
    say "ready: model $model_name on $ollama_url"
    return 0
  fi
  launch_tui "$ollama_url" "$model_name" ""
}

# Reads key=value lines of the daemon state file into state_* variables.
state_url="" state_mode="" state_base="" state_helper=""
read_daemon_state() {
  local k v
  state_url="" state_mode="" state_base="" state_helper=""
  [ -r "$daemon_state" ] || return 1
  while IFS='=' read -r k v; do
    case $k in
      url) state_url=$v ;;
      mode) state_mode=$v ;;
      base) state_base=$v ;;
      helper) state_helper=$v ;;
    esac
  done <"$daemon_state"
}

conductord_pid() {  # prints the PID of the running conductord named by the PID file
  local pid
  pid=$(read_pid "$pid_file")
  if [ -n "$pid" ] && alive "$pid" && is_process "$pid" conductord; then printf '%s\n' "$pid"; fi
}

cmd_daemon() {
  local pid url mode base="" helper="" err
  ensure_built
  pid=$(conductord_pid)
  if [ -n "$pid" ]; then
    say "conductord already runs (pid $pid, socket $socket); $me stop stops it"
    return 0
  fi
  local host_flag=()
  if [ "$demo_mode" = 0 ] && configured_backends && [ "$backends_up" = 1 ]; then
    say_backends
    url="the backends in conductor.toml" mode=backends
  elif [ "$demo_mode" = 0 ] && [ -n "$backends_json" ] && [ "$(jq -r '.configured' <<<"$backends_json")" = true ]; then
    say_backends
    say "no backend that conductor.toml lists answers: conductord will use ollama-sim, a simulated model (the demo)"
    start_sim 1
    url=$sim_url mode=demo
    host_flag=(--host "$url")
    helper=$(identity "$sim_pid") || helper=""
  elif [ "$demo_mode" = 0 ] && find_ollama 1; then
    url=$ollama_url mode=ollama
    host_flag=(--host "$url")
    if [ -n "$started_ollama_pid" ]; then
      helper=$(identity "$started_ollama_pid") || helper=""
    fi
    choose_model "$test_mode"
    say "base model $base_model ($base_reason)"
    pull_model "$base_model"
    create_model "$base_model"
    base=$base_model
  else
    if [ "$demo_mode" = 1 ]; then say "--demo: conductord will use ollama-sim, a simulated model"; else say "$(no_ollama_reason): conductord will use ollama-sim, a simulated model (the demo)"; fi
    start_sim 1
    url=$sim_url mode=demo
    host_flag=(--host "$url")
    helper=$(identity "$sim_pid") || helper=""
  fi
  daemon_starting=1  # conductord makes the socket's directory itself (0700 when it is its own)
  local model_env=()
  if [ "$mode" != backends ]; then model_env=("YOLLAYAH_MODEL=$model_name"); fi
  if ! err=$(env "${model_env[@]}" "$bin_dir/conductord" "${host_flag[@]}" "${http_flag[@]}" --daemonize --socket "$socket" \
    --pid-file "$pid_file" --log-level "${YOLLAYAH_LOG_LEVEL:-info}" 2>&1 </dev/null); then
    daemon_starting=0
    die "conductord did not start: ${err:-no reason given} (log: $log_dir/conductord.log); fix that and run $me daemon again"
  fi
  pid=$(conductord_pid)
  [ -n "$pid" ] || die "conductord reported ready but $pid_file names no conductord; see $log_dir/conductord.log"
  {
    printf 'url=%s\nmode=%s\nbase=%s\nhelper=%s\n' "$url" "$mode" "$base" "$helper"
  } >"$daemon_state"
  # From here on, conductord and its helpers outlive this script: `stop` ends them.
  started=()
  daemon_starting=0
  if [ "$mode" = backends ]; then
    say "conductord runs (pid $pid) on $socket, on $url"
  else
    say "conductord runs (pid $pid) on $socket, model $model_name via $url"
  fi
  say "attach with: $me connect    stop with: $me stop    logs: $log_dir/conductord.log"
}

# The web page's URL with the token in its fragment (never sent to the server), when the running
# conductord has an HTTP listener; nothing otherwise.
page_url() {
  local base token
  [ -r "$gateway_url_file" ] && [ -r "$token_file" ] || return 0
  base=$(head -n 1 "$gateway_url_file")
  token=$(head -n 1 "$token_file")
  [ -n "$base" ] && [ -n "$token" ] || return 0
  printf '%s/#token=%s\n' "$base" "$token"
}

cmd_web() {
  local pid url
  pid=$(conductord_pid)
  if [ -z "$pid" ]; then
    http_flag=(--http "${YOLLAYAH_HTTP:-127.0.0.1:0}")
    cmd_daemon
    pid=$(conductord_pid)
  else
    say "conductord already runs (pid $pid)"
  fi
  url=$(page_url)
  if [ -z "$url" ]; then
    die "conductord (pid $pid) runs without the HTTP listener; run $me stop, then $me web"
  fi
  say "web page (the token is in the link: keep it private):"
  printf '%s\n' "$url"
  say "API: ${url%%/#*}/api (Ollama) and ${url%%/#*}/v1 (OpenAI), with Authorization: Bearer TOKEN from $token_file"
}

cmd_connect() {
  local pid text=""
  ensure_built
  pid=$(conductord_pid)
  [ -n "$pid" ] || die "conductord is not running (no live PID in $pid_file); start it with $me daemon"
  if read_daemon_state && [ "$state_mode" = demo ]; then text=$banner; fi
  if ! [ -t 0 ] || ! [ -t 1 ]; then
    die "the chat screen needs a terminal: run $me connect in one, or $bin_dir/yollayah ask --connect=$socket \"question\""
  fi
  local env_vars=() rc=0
  if [ -n "$text" ]; then env_vars+=("YOLLAYAH_BANNER=$text"); fi
  env "${env_vars[@]}" "$bin_dir/yollayah" --connect="$socket" || rc=$?
  exit "$rc"
}

stop_daemon_helper() {
  local pid name
  read_daemon_state || return 0
  if [ -n "$state_helper" ]; then
    pid=${state_helper%% *} name=${state_helper#* } name=${name% *}
    if alive "$pid" && [ "$(identity "$pid" || true)" = "$state_helper" ]; then
      stop_pid "$pid"
      say "stopped $name (pid $pid), which $me daemon had started"
    fi
  fi
  rm -f "$daemon_state"
}

cmd_stop() {
  local pid what
  pid=$(read_pid "$pid_file")
  if [ -z "$pid" ]; then
    say "conductord is not running (no PID file at $pid_file)"
  elif ! alive "$pid"; then
    rm -f "$pid_file"
    say "conductord is not running (removed the stale PID file $pid_file)"
  elif ! is_process "$pid" conductord; then
    what=$(cat "/proc/$pid/comm" 2>/dev/null || echo "another program")
    rm -f "$pid_file"
    say "conductord is not running: $pid_file named pid $pid, which is $what, not conductord (left alone; removed the stale file)"
  else
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then die "conductord (pid $pid) did not stop within 10 s; run kill -KILL $pid"; fi
    say "stopped conductord (pid $pid)"
  fi
  stop_daemon_helper
}

cmd_status() {
  local pid url model base="" version stamp rc=0 have
  need_tools
  pid=$(conductord_pid)
  if [ -n "$pid" ]; then
    say "conductord: running (pid $pid)"
  else
    say "conductord: not running"
    rc=3
  fi
  if [ -S "$socket" ]; then say "socket: $socket"; else say "socket: $socket (absent)"; fi
  if [ -n "$pid" ] && [ -r "$gateway_url_file" ]; then
    say "http: $(head -n 1 "$gateway_url_file") (the page: $me web)"
  elif [ -n "$pid" ]; then
    say "http: off ($me stop, then $me web, starts it with the listener)"
  fi
  # The servers conductor.toml lists, unless the daemon runs the demo in their stead.
  if ! { [ -n "$pid" ] && read_daemon_state && [ "$state_mode" = demo ]; } && configured_backends; then
    say_backends
    exit "$rc"
  fi
  resolve_ollama_host
  url=$ollama_url
  if [ -n "$pid" ] && read_daemon_state; then
    url=$state_url base=$state_base
  fi
  local up=0 demo=0
  if [ "$state_mode" = demo ] && [ -n "$pid" ]; then demo=1; fi
  if answers "$url"; then
    up=1
    version=$(server_version "$url")
    if [ "$demo" = 1 ]; then
      say "Ollama: the demo's ollama-sim at $url (a simulated model)"
    else
      say "Ollama: running at $url (version $version)"
    fi
  else
    say "Ollama: not answering at $url"
  fi
  model=$model_name
  ollama_url=$url
  if [ -z "$base" ]; then
    stamp=$(stamp_file)
    if [ -r "$stamp" ]; then read -r _ base <"$stamp" || true; fi
  fi
  have="$model"
  if [ -n "$base" ]; then have="$model (from $base)"; fi
  if [ "$demo" = 1 ]; then
    have="$model (simulated by ollama-sim)"
  elif [ "$up" = 1 ] && ! listed "$model"; then
    have="$model (not on this Ollama yet: $me prepare creates it)"
  fi
  say "model: $have"
  exit "$rc"
}

cmd_model() {
  choose_model "$test_mode"
  printf '%s\n' "$base_model"
  say "($base_reason)" >&2
}

# ---- main ----

cmd="" test_mode=0 demo_mode=0
for arg in "$@"; do
  case $arg in
    -h | --help | help)
      usage
      exit 0
      ;;
    --test) test_mode=1 ;;
    --demo) demo_mode=1 ;;
    start | demo | prepare | daemon | web | connect | stop | status | model | test)
      [ -z "$cmd" ] || usage_error "two subcommands ($cmd, $arg): give one; see $me --help"
      cmd=$arg
      ;;
    *) usage_error "unknown argument '$arg'; see $me --help" ;;
  esac
done
cmd=${cmd:-start}
if [ "$cmd" = demo ]; then demo_mode=1; fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/yollayah-sh.XXXXXX")

case $cmd in
  start | demo) cmd_start 0 ;;
  prepare) cmd_start 1 ;;
  daemon) cmd_daemon ;;
  web) cmd_web ;;
  connect) cmd_connect ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  model) cmd_model ;;
  test)
    cleanup
    trap - EXIT
    exec "$root/scripts/test"
    ;;
esac
