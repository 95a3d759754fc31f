#!/usr/bin/env bash
# End-to-end tests of ./yollayah.sh, the bootstrap: it runs against ollama-sim standing in for
# Ollama (at OLLAMA_HOST, or started by a fake `ollama serve` early on PATH), with HOME and the XDG
# directories in a temporary directory; the chat screen runs inside tmux on a private socket.
# Packages and the build are skipped (YOLLAYAH_NO_BUILD=1): the binaries come from BIN_DIR.
#
# Usage: tests/e2e/bootstrap_e2e.sh BIN_DIR SCENARIO
# Scenarios: pull_create, reuse, start_ollama, interrupt, pull_error, start_tui, demo_fallback,
#            demo_forced, demo_agents, daemon, daemon_ollama, daemon_demo, stop_foreign, build_stamp,
#            model_choice, usage, backends_status, backends_start, backends_demo, web
set -euo pipefail

bin_dir=$(cd "$1" && pwd)
scenario=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
script=$root/yollayah.sh
work=$(mktemp -d)
tmux_socket="yollayah-boot-e2e-$$"
sim_pid=""
other_pids=()  # more processes this test started (a foreign stand-in for `stop`)

# Stops what the test started, and whatever the script under test left in this test's private
# directories (a conductord named by $work's PID file, the helper its state file names).
cleanup() {
  tmux -L "$tmux_socket" kill-server 2>/dev/null || true
  local pid name
  pid=$(cat "$work/run/ai-way/conductor.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = conductord ]; then kill "$pid" 2>/dev/null || true; fi
  if [ -f "$work/run/ai-way/yollayah-sh.state" ]; then
    read -r pid name _ < <(sed -n 's/^helper=//p' "$work/run/ai-way/yollayah-sh.state") || true
    if [ -n "${pid:-}" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "${name:-}" ]; then kill "$pid" 2>/dev/null || true; fi
  fi
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  for pid in "${other_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL [$scenario]: $*" >&2
  for f in out err; do
    if [ -s "$work/$f" ]; then echo "--- script std$f ---" >&2; cat "$work/$f" >&2; fi
  done
  if tmux -L "$tmux_socket" has-session -t e2e 2>/dev/null; then
    echo "--- screen ---" >&2
    screen >&2 || true
  fi
  exit 1
}

# Starts ollama-sim on an ephemeral port with the given flags (requests logged); sets $sim_port.
start_sim() {
  "$bin_dir/ollama-sim" --port 0 --verbose "$@" >"$work/sim.out" 2>"$work/sim.err" &
  sim_pid=$!
  for _ in $(seq 100); do
    if grep -q 'listening on' "$work/sim.out" 2>/dev/null; then break; fi
    sleep 0.05
  done
  sim_port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' "$work/sim.out")
  [ -n "$sim_port" ] || fail "ollama-sim did not start: $(cat "$work/sim.err")"
}

# A port nothing listens on: one the kernel just gave ollama-sim, which has stopped.
free_port() {
  "$bin_dir/ollama-sim" --port 0 >"$work/free.out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 100); do
    if grep -q 'listening on' "$work/free.out" 2>/dev/null; then break; fi
    sleep 0.05
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' "$work/free.out"
}

# A fake `ollama` on PATH: `ollama serve` records its environment and PID, then becomes
# ollama-sim (with $1 as extra flags) on the port of OLLAMA_HOST.
fake_ollama() {
  mkdir -p "$work/fakebin"
  cat >"$work/fakebin/ollama" <<EOF
#!/usr/bin/env bash
[ "\${1:-}" = serve ] || { echo "fake ollama: only serve" >&2; exit 1; }
env | grep '^OLLAMA_' >"$work/ollama.env"
echo \$\$ >"$work/ollama.pid"
exec "$bin_dir/ollama-sim" --port "\${OLLAMA_HOST##*:}" --verbose ${1:-} 2>>"$work/ollama-sim.err"
EOF
  chmod +x "$work/fakebin/ollama"
}

# The isolated environment, as VAR=value words for env. No `ollama` on PATH unless fake_ollama
# put one in $work/fakebin (/usr/local/bin, where Ollama installs itself, is left out).
base_env() {
  printf '%s\n' "HOME=$work" "XDG_CONFIG_HOME=$work/config" "XDG_DATA_HOME=$work/data" \
    "XDG_STATE_HOME=$work/state" "XDG_RUNTIME_DIR=$work/run" "PATH=$work/fakebin:/usr/bin:/bin" \
    "YOLLAYAH_NO_BUILD=1" "YOLLAYAH_BIN_DIR=${yollayah_bin_dir:-$bin_dir}" "TERM=xterm-256color" "LANG=C.UTF-8"
}

# Runs the script without a terminal: stdout in $work/out, stderr in $work/err, exit code in $rc.
run() {
  local vars=()
  mapfile -t vars < <(base_env)
  rc=0
  env -u YOLLAYAH_MODEL -u CONDUCTOR_SOCKET "${vars[@]}" "${extra_env[@]}" timeout 60 "$script" "$@" \
    >"$work/out" 2>"$work/err" </dev/null || rc=$?
}
extra_env=()

# Runs the script in a fresh tmux session; the exit code lands in $work/exit.
start_tmux() {
  local cols=$1 rows=$2 vars=()
  shift 2
  mapfile -t vars < <(base_env)
  {
    printf '#!/usr/bin/env bash\n'
    printf 'env -u YOLLAYAH_MODEL -u CONDUCTOR_SOCKET'
    printf ' %q' "${vars[@]}" "${extra_env[@]}" "$script" "$@"
    printf '\necho "EXIT=$?" >%q\nsleep 60\n' "$work/exit"
  } >"$work/tmux-run"
  chmod +x "$work/tmux-run"
  tmux -L "$tmux_socket" -f /dev/null new-session -d -s e2e -x "$cols" -y "$rows" "$work/tmux-run"
}

screen() { tmux -L "$tmux_socket" capture-pane -p -t e2e; }
keys() { tmux -L "$tmux_socket" send-keys -t e2e "$@"; }

wait_for() {  # TEXT [SECONDS]
  local text=$1 timeout=${2:-10}
  local deadline=$((SECONDS + timeout))
  while [ $SECONDS -lt "$deadline" ]; do
    if screen | grep -qF -- "$text"; then return 0; fi
    sleep 0.05
  done
  fail "timed out waiting for '$text'"
}

wait_exit() {  # [SECONDS]
  local deadline=$((SECONDS + ${1:-10}))
  while [ $SECONDS -lt "$deadline" ]; do
    [ -s "$work/exit" ] && return 0
    sleep 0.05
  done
  fail "the script did not exit"
}

# Esc quits an idle TUI; if an answer was still streaming, the first one only stopped it.
quit_tui() {
  keys Escape
  local deadline=$((SECONDS + 3))
  while [ $SECONDS -lt "$deadline" ]; do
    [ -s "$work/exit" ] && return 0
    sleep 0.05
  done
  keys Escape
  wait_exit
}

answers() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/api/version"; }

alive() {  # PID: exists and is not a zombie
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

count() { grep -c -- "$1" "$2" || true; }  # PATTERN FILE: matching lines (0 when none)
out_has() { grep -qF -- "$1" "$work/out" || fail "the output lacks '$1'"; }

prompt_of_server() {  # PORT MODEL: the system prompt the server holds for MODEL
  curl -s --max-time 5 "http://127.0.0.1:$1/api/show" -d "{\"model\":\"$2\"}" | jq -r '.system // ""'
}

from_of_server() {  # PORT MODEL: the FROM line of MODEL's Modelfile
  curl -s --max-time 5 "http://127.0.0.1:$1/api/show" -d "{\"model\":\"$2\"}" | jq -r '.modelfile' | sed -n 's/^FROM //p'
}

demo_banner="Demo mode: answers come from ollama-sim"

case "$scenario" in
  pull_create)
    # The first run pulls the base model with a progress bar, then creates `yollayah` from it
    # with the personality prompt.
    start_sim
    extra_env=("OLLAMA_HOST=127.0.0.1:$sim_port")
    run prepare --test
    [ "$rc" = 0 ] || fail "prepare exited $rc"
    out_has "base model qwen2:0.5b (--test)"
    out_has "pulling qwen2:0.5b"
    grep -qE '\[█+░*\] +25%' "$work/out" || fail "no progress bar at 25 %"
    grep -qE '\[█{30}\] 100%  2\.0 GB / 2\.0 GB' "$work/out" || fail "no full progress bar"
    out_has "creating model yollayah from qwen2:0.5b"
    out_has "ready: model yollayah on http://127.0.0.1:$sim_port"
    [ "$(count 'POST /api/pull' "$work/sim.err")" = 1 ] || fail "not exactly one /api/pull"
    [ "$(count 'POST /api/create' "$work/sim.err")" = 1 ] || fail "not exactly one /api/create"
    # The server holds the prompt that `yollayah --print-system-prompt` prints, on qwen2:0.5b.
    expected=$("$bin_dir/yollayah" --print-system-prompt)
    [ -n "$expected" ] || fail "yollayah --print-system-prompt printed nothing"
    [ "$(prompt_of_server "$sim_port" yollayah)" = "$expected" ] || fail "/api/create did not get the personality prompt"
    [ "$(from_of_server "$sim_port" yollayah)" = qwen2:0.5b ] || fail "yollayah was not created from qwen2:0.5b"
    ls "$work/data/ai-way/"yollayah-model.*.stamp >/dev/null 2>&1 || fail "no stamp in \$XDG_DATA_HOME/ai-way"
    # It did not stop the Ollama it did not start.
    alive "$sim_pid" || fail "the script stopped an Ollama it had not started"
    ;;

  reuse)
    # A second run reuses the model; a changed prompt or base model recreates it.
    start_sim
    extra_env=("OLLAMA_HOST=127.0.0.1:$sim_port")
    run prepare --test
    [ "$rc" = 0 ] || fail "the first prepare exited $rc"
    run prepare --test
    [ "$rc" = 0 ] || fail "the second prepare exited $rc"
    out_has "base model qwen2:0.5b is already pulled"
    out_has "model yollayah is up to date"
    grep -qF "creating model" "$work/out" && fail "the second run recreated the model"
    [ "$(count 'POST /api/pull' "$work/sim.err")" = 1 ] || fail "the second run pulled again"
    [ "$(count 'POST /api/create' "$work/sim.err")" = 1 ] || fail "the second run called /api/create"
    # Another prompt (a yollayah that prints a different one): created again, not pulled again.
    mkdir -p "$work/otherbin"
    ln -s "$bin_dir/ollama-sim" "$bin_dir/conductord" "$work/otherbin/"
    # shellcheck disable=SC2016 # $1 and $@ belong to the wrapper
    printf '#!/bin/sh\n[ "$1" = --print-system-prompt ] && { echo "You are a different axolotl."; exit 0; }\nexec %q "$@"\n' \
      "$bin_dir/yollayah" >"$work/otherbin/yollayah"
    chmod +x "$work/otherbin/yollayah"
    yollayah_bin_dir=$work/otherbin run prepare --test
    [ "$rc" = 0 ] || fail "prepare with another prompt exited $rc"
    out_has "creating model yollayah from qwen2:0.5b"
    [ "$(count 'POST /api/create' "$work/sim.err")" = 2 ] || fail "a changed prompt did not recreate the model"
    [ "$(prompt_of_server "$sim_port" yollayah)" = "You are a different axolotl." ] || fail "the new prompt did not reach /api/create"
    # Another base model: pulled and created.
    extra_env+=("YOLLAYAH_MODEL=llama3.2:1b")
    run prepare
    [ "$rc" = 0 ] || fail "prepare with YOLLAYAH_MODEL exited $rc"
    out_has "base model llama3.2:1b (YOLLAYAH_MODEL)"
    [ "$(count 'POST /api/pull' "$work/sim.err")" = 2 ] || fail "a new base model was not pulled"
    [ "$(count 'POST /api/create' "$work/sim.err")" = 3 ] || fail "a new base model did not recreate the model"
    [ "$(from_of_server "$sim_port" yollayah)" = llama3.2:1b ] || fail "yollayah is not from llama3.2:1b"
    # The server lost the model (restarted): the stamp alone does not make it reused.
    kill "$sim_pid"
    wait "$sim_pid" 2>/dev/null || true
    start_sim --port "$sim_port"
    run prepare
    [ "$rc" = 0 ] || fail "prepare against the restarted server exited $rc"
    out_has "creating model yollayah from llama3.2:1b"
    ;;

  start_ollama)
    # No server, but an `ollama` command: the script starts `ollama serve` with
    # OLLAMA_KEEP_ALIVE=24h, uses it, and stops it on exit because it started it.
    port=$(free_port)
    fake_ollama
    extra_env=("OLLAMA_HOST=127.0.0.1:$port")
    run prepare --test
    [ "$rc" = 0 ] || fail "prepare exited $rc"
    out_has "starting ollama serve on 127.0.0.1:$port"
    out_has "ready: model yollayah on http://127.0.0.1:$port"
    grep -qx 'OLLAMA_KEEP_ALIVE=24h' "$work/ollama.env" || fail "ollama serve did not get OLLAMA_KEEP_ALIVE=24h"
    grep -qx "OLLAMA_HOST=127.0.0.1:$port" "$work/ollama.env" || fail "ollama serve did not get OLLAMA_HOST"
    [ "$(count 'POST /api/create' "$work/ollama-sim.err")" = 1 ] || fail "the started server got no /api/create"
    served=$(cat "$work/ollama.pid")
    alive "$served" && fail "ollama serve (pid $served) still runs after the script exited"
    answers "$port" && fail "something still answers on port $port"
    true
    ;;

  interrupt)
    # Ctrl+C during the pull: the script stops the `ollama serve` it started and exits 130;
    # no stamp is written, so the next run creates the model.
    port=$(free_port)
    fake_ollama "--pull-step-ms 1000"
    extra_env=("OLLAMA_HOST=127.0.0.1:$port")
    start_tmux 120 30 prepare --test
    wait_for "pulling qwen2:0.5b" 20
    wait_for "%" 10
    served=$(cat "$work/ollama.pid")
    alive "$served" || fail "ollama serve is not running during the pull"
    keys C-c
    wait_exit 15
    grep -qx 'EXIT=130' "$work/exit" || fail "exit code after Ctrl+C: $(cat "$work/exit")"
    wait_for "yollayah: interrupted; stopping what this run started"
    alive "$served" && fail "ollama serve (pid $served) still runs after Ctrl+C"
    answers "$port" && fail "something still answers on port $port after Ctrl+C"
    ls "$work/data/ai-way/"yollayah-model.*.stamp >/dev/null 2>&1 && fail "a stamp was written for an interrupted run"
    true
    ;;

  pull_error)
    # A server that fails every request: one line says what failed and what to do.
    start_sim --http-error 500
    extra_env=("OLLAMA_HOST=127.0.0.1:$sim_port")
    run prepare --test
    [ "$rc" = 1 ] || fail "prepare exited $rc, not 1"
    [ "$(wc -l <"$work/err")" = 1 ] || fail "not exactly one line on stderr"
    grep -qF "yollayah: pulling qwen2:0.5b failed: simulated error 500; check the name (YOLLAYAH_MODEL) and the network, then run $script again" \
      "$work/err" || fail "the error line does not say what failed and what to do"
    ;;

  demo_fallback)
    # Nothing listens and there is no `ollama`: the demo opens in the TUI with its banner; the
    # sim it started is gone once the TUI quits.
    port=$(free_port)
    extra_env=("OLLAMA_HOST=127.0.0.1:$port")
    start_tmux 160 30
    wait_for "$demo_banner" 15
    wait_for "Ready" 15
    screen | grep -qF "I'm Yollayah" || fail "no greeting from the simulated model"
    screen | head -n 1 | grep -qF "$demo_banner" || fail "the banner is not on the top line"
    keys "hello" Enter
    wait_for "you › hello"
    # The answer completes (its metadata line, like the greeting's, shows tok/s).
    deadline=$((SECONDS + 15))
    until [ "$(screen | grep -cF 'tok/s')" -ge 2 ]; do
      [ $SECONDS -lt "$deadline" ] || fail "the answer did not complete"
      sleep 0.05
    done
    screen | grep -qF "$demo_banner" || fail "the banner went away"
    keys Escape
    wait_exit
    grep -qx 'EXIT=0' "$work/exit" || fail "exit code: $(cat "$work/exit")"
    wait_for "no Ollama at http://127.0.0.1:$port and no ollama command to start one"
    sim_url=$(screen | sed -n 's/.*opening the demo against ollama-sim, a simulated model, at \(http[^ ]*\).*/\1/p')
    [ -n "$sim_url" ] || fail "the script did not say where the demo's ollama-sim listens"
    curl -s -o /dev/null --max-time 2 "$sim_url/api/version" && fail "the demo's ollama-sim still runs after quitting"
    true
    ;;

  start_tui)
    # The default: prepare the model, then the chat screen on it, without the demo banner.
    start_sim
    extra_env=("OLLAMA_HOST=127.0.0.1:$sim_port")
    start_tmux 120 30 --test
    wait_for "Ready" 15
    wait_for "I'm Yollayah"
    screen | grep -qF "Demo mode" && fail "the demo banner is on screen with a real Ollama"
    screen | tail -n 1 | grep -qF "yollayah" || fail "the status bar does not name the yollayah model"
    quit_tui
    grep -qx 'EXIT=0' "$work/exit" || fail "exit code: $(cat "$work/exit")"
    grep -qE 'POST /api/(chat|generate)' "$work/sim.err" || fail "the chat screen did not ask the Ollama the script found"
    [ "$(count 'POST /api/create' "$work/sim.err")" = 1 ] || fail "the model was not created before the chat screen opened"
    alive "$sim_pid" || fail "the script stopped an Ollama it had not started"
    ;;

  backends_status)
    # conductor.toml lists two servers, one down and one up: status probes and names each.
    start_sim
    port=$(free_port)
    mkdir -p "$work/config/ai-way"
    cat >"$work/config/ai-way/conductor.toml" <<EOF
[[backend]]
name = "laptop"
url = "http://127.0.0.1:$port"

[[backend]]
name = "gpu-box"
kind = "openai"
url = "http://127.0.0.1:$sim_port/v1"
priority = 2
EOF
    run status
    [ "$rc" = 3 ] || fail "status exited $rc (conductord does not run: 3)"
    out_has "backend laptop (ollama at http://127.0.0.1:$port): down:"
    out_has "backend gpu-box (openai at http://127.0.0.1:$sim_port/v1): up"
    # A mistake in the file is one line naming it, and nothing starts.
    printf '[[backend]]\nname = "x"\nurl = "http://a"\nmodles = ["*"]\n' >"$work/config/ai-way/conductor.toml"
    run status
    [ "$rc" = 1 ] || fail "status with a broken conductor.toml exited $rc"
    grep -qF 'unknown key "modles"' "$work/err" || fail "the broken file was not named: $(cat "$work/err")"
    ;;

  backends_start)
    # With a listed server that answers, start opens the chat screen on it as it is: no model
    # is pulled or created, and the answer names the backend that gave it.
    start_sim
    mkdir -p "$work/config/ai-way"
    printf '[conductor]\nmodel = "sim"\n\n[[backend]]\nname = "gpu-box"\nkind = "openai"\nurl = "http://127.0.0.1:%s/v1"\n' \
      "$sim_port" >"$work/config/ai-way/conductor.toml"
    start_tmux 120 30
    wait_for "Ready" 15
    wait_for "on gpu-box" 15
    screen | grep -qF "Demo mode" && fail "the demo banner is on screen with a listed backend up"
    quit_tui
    grep -qx 'EXIT=0' "$work/exit" || fail "exit code: $(cat "$work/exit")"
    grep -qF 'POST /v1/chat/completions' "$work/sim.err" || fail "the chat did not go to the listed backend"
    grep -qF 'POST /api/pull' "$work/sim.err" && fail "a model was pulled for a listed backend"
    true
    ;;

  backends_demo)
    # The only listed server is down: the demo opens, and the script says why.
    port=$(free_port)
    mkdir -p "$work/config/ai-way"
    printf '[[backend]]\nname = "laptop"\nurl = "http://127.0.0.1:%s"\n' "$port" >"$work/config/ai-way/conductor.toml"
    start_tmux 160 30
    wait_for "$demo_banner" 15
    wait_for "Ready" 15
    keys Escape
    wait_exit
    wait_for "no backend that conductor.toml lists answers"
    ;;

  demo_forced)
    # --demo opens the demo even though an Ollama answers, and does not touch that Ollama.
    start_sim
    extra_env=("OLLAMA_HOST=127.0.0.1:$sim_port")
    start_tmux 160 30 --demo
    wait_for "$demo_banner" 15
    wait_for "Ready" 15
    quit_tui
    grep -qx 'EXIT=0' "$work/exit" || fail "exit code: $(cat "$work/exit")"
    wait_for "yollayah: --demo: opening the demo"
    grep -q 'POST' "$work/sim.err" && fail "--demo sent requests to the real Ollama"
    alive "$sim_pid" || fail "the script stopped an Ollama it had not started"
    ;;

  demo_agents)
    # The demo shows agents at work: asked for a review, the simulated Yollayah delegates to three
    # of the family, the task panel shows each by family name and task, Enter opens one's answer,
    # and the follow-up sums them up.
    start_sim
    extra_env=("OLLAMA_HOST=127.0.0.1:$sim_port")
    start_tmux 160 40 --demo
    wait_for "$demo_banner" 15
    wait_for "Ready" 15
    keys "please review my login code" Enter
    wait_for "Review the design" 15       # Uncle Marco's task in the panel
    wait_for "What I'd do next" 40        # the follow-up sums the helpers up
    wait_for "Tab tasks" 15               # ... and has ended
    screen | grep -qF "Cousin Rita" || fail "Cousin Rita is not in the task panel"
    keys Tab
    keys Enter
    wait_for "Uncle Marco · Review the design" 5   # Enter opened his answer
    wait_for "bound on every queue" 5
    keys Escape
    keys Tab
    quit_tui
    grep -qx 'EXIT=0' "$work/exit" || fail "exit code: $(cat "$work/exit")"
    ;;

  daemon)
    # daemon starts conductord against the found Ollama; status reports it; a TUI connects;
    # stop stops it.
    start_sim
    extra_env=("OLLAMA_HOST=127.0.0.1:$sim_port")
    sock=$work/run/ai-way/conductor.sock
    run status
    [ "$rc" = 3 ] || fail "status before the daemon exited $rc, not 3"
    out_has "conductord: not running"
    out_has "model: yollayah (not on this Ollama yet"
    run daemon --test
    [ "$rc" = 0 ] || fail "daemon exited $rc"
    out_has "conductord runs (pid"
    pid=$(cat "$work/run/ai-way/conductor.pid")
    [ "$(cat "/proc/$pid/comm")" = conductord ] || fail "the PID file does not name a conductord"
    [ -S "$sock" ] || fail "no socket at $sock"
    run daemon --test
    [ "$rc" = 0 ] || fail "a second daemon exited $rc"
    out_has "conductord already runs (pid $pid"
    run status
    [ "$rc" = 0 ] || fail "status exited $rc"
    out_has "conductord: running (pid $pid)"
    out_has "socket: $sock"
    out_has "Ollama: running at http://127.0.0.1:$sim_port (version 0.0.0-sim)"
    out_has "model: yollayah (from qwen2:0.5b)"
    # The daemon answers, through the model the script prepared.
    answer=$(env HOME="$work" XDG_RUNTIME_DIR="$work/run" timeout 20 "$bin_dir/yollayah" ask --connect="$sock" "hello" 2>&1) ||
      fail "ask --connect failed: $answer"
    [ -n "$answer" ] || fail "no answer through conductord"
    grep -qE 'POST /api/(chat|generate)' "$work/sim.err" ||
      fail "conductord did not ask the Ollama the script found"
    start_tmux 120 30 connect
    wait_for "conductord" 15
    wait_for "Ready" 15
    quit_tui
    run stop
    [ "$rc" = 0 ] || fail "stop exited $rc"
    out_has "stopped conductord (pid $pid)"
    alive "$pid" && fail "conductord (pid $pid) still runs after stop"
    [ -e "$sock" ] && fail "the socket is still there after stop"
    run status
    [ "$rc" = 3 ] || fail "status after stop exited $rc, not 3"
    out_has "conductord: not running"
    run stop
    [ "$rc" = 0 ] || fail "a second stop exited $rc"
    out_has "conductord is not running"
    alive "$sim_pid" || fail "stop stopped an Ollama the script had not started"
    ;;

  daemon_ollama)
    # No server but an `ollama` command: daemon starts `ollama serve` for conductord and leaves
    # it running when the script exits; stop ends both.
    port=$(free_port)
    fake_ollama
    extra_env=("OLLAMA_HOST=127.0.0.1:$port")
    run daemon --test
    [ "$rc" = 0 ] || fail "daemon exited $rc"
    out_has "starting ollama serve on 127.0.0.1:$port"
    pid=$(cat "$work/run/ai-way/conductor.pid")
    served=$(cat "$work/ollama.pid")
    alive "$served" || fail "the ollama serve started for the daemon did not outlive the script"
    answers "$port" || fail "nothing answers on port $port after daemon"
    run status
    [ "$rc" = 0 ] || fail "status exited $rc"
    out_has "Ollama: running at http://127.0.0.1:$port"
    run stop
    [ "$rc" = 0 ] || fail "stop exited $rc"
    out_has "stopped conductord (pid $pid)"
    out_has "(pid $served), which $script daemon had started"
    alive "$pid" && fail "conductord still runs"
    alive "$served" && fail "ollama serve still runs after stop"
    true
    ;;

  build_stamp)
    # The build runs when there is no stamp or a source is newer, not otherwise; a failed build
    # says so in one line and leaves the stamp alone. A copy of the script in a scratch tree,
    # with stand-ins for scripts/setup and scripts/build (the real build is far too slow here).
    tree=$work/tree
    mkdir -p "$tree/scripts" "$tree/src" "$tree/apps" "$tree/cmake"
    cp "$script" "$tree/yollayah.sh"
    touch "$tree/src/a.cpp" "$tree/CMakeLists.txt" "$tree/CMakePresets.json" "$tree/warnings.cmake"
    printf '#!/bin/sh\necho "setup: all packages present"\n' >"$tree/scripts/setup"
    cat >"$tree/scripts/build" <<BUILD
#!/usr/bin/env bash
echo "\$*" >>"$work/builds"
[ -e "$work/break" ] && { echo "a.cpp:1: error: broken"; exit 1; }
echo "[1/2] Building CXX object a.cpp.o"
mkdir -p "$tree/build/bin"
ln -sf "$bin_dir/yollayah" "$bin_dir/conductord" "$bin_dir/ollama-sim" "$tree/build/bin/"
BUILD
    chmod +x "$tree/scripts/setup" "$tree/scripts/build"
    script=$tree/yollayah.sh
    start_sim
    extra_env=("OLLAMA_HOST=127.0.0.1:$sim_port" "YOLLAYAH_NO_BUILD=0" "YOLLAYAH_BIN_DIR=$tree/build/bin")
    run prepare --test
    [ "$rc" = 0 ] || fail "the first prepare exited $rc"
    out_has "building yollayah, conductord and ollama-sim"
    [ "$(cat "$work/builds")" = "dev yollayah conductord ollama-sim" ] || fail "scripts/build was not run once for the three targets"
    run prepare --test
    [ "$rc" = 0 ] || fail "the second prepare exited $rc"
    out_has "build up to date"
    [ "$(wc -l <"$work/builds")" = 1 ] || fail "the build ran again with nothing changed"
    touch -d "@$(($(date +%s) - 60))" "$tree/build/.yollayah-sh.stamp"  # the sources are newer now
    touch "$work/break"
    run prepare --test
    [ "$rc" = 1 ] || fail "prepare with a broken build exited $rc, not 1"
    [ "$(wc -l <"$work/builds")" = 2 ] || fail "a changed source did not rebuild"
    [ "$(grep -c '^yollayah:' "$work/err")" = 1 ] || fail "not one yollayah: line for a failed build"
    grep -qF "yollayah: the build failed (its end is above, all of it in $work/state/ai-way/logs/build.log); fix it and run" \
      "$work/err" || fail "the failure line does not say what to do"
    grep -qF "a.cpp:1: error: broken" "$work/err" || fail "the end of the build log is not shown"
    rm "$work/break"
    run prepare --test
    [ "$rc" = 0 ] || fail "prepare after the fix exited $rc"
    [ "$(wc -l <"$work/builds")" = 3 ] || fail "a failed build did not leave the next run to build"
    run prepare --test
    out_has "build up to date"
    ;;

  daemon_demo)
    # No Ollama: the daemon runs on a detached ollama-sim, which outlives the script; connect
    # shows the demo banner; stop ends both.
    port=$(free_port)
    extra_env=("OLLAMA_HOST=127.0.0.1:$port")
    run daemon
    [ "$rc" = 0 ] || fail "daemon exited $rc"
    out_has "conductord will use ollama-sim, a simulated model (the demo)"
    pid=$(cat "$work/run/ai-way/conductor.pid")
    helper=$(sed -n 's/^helper=\([0-9]*\) ollama-sim [0-9]*$/\1/p' "$work/run/ai-way/yollayah-sh.state")
    [ -n "$helper" ] || fail "the state file names no ollama-sim"
    alive "$helper" || fail "the demo's ollama-sim did not outlive the script"
    run status
    [ "$rc" = 0 ] || fail "status exited $rc"
    out_has "Ollama: the demo's ollama-sim at http://127.0.0.1:"
    out_has "model: yollayah (simulated by ollama-sim)"
    start_tmux 160 30 connect
    wait_for "$demo_banner" 15
    wait_for "Ready" 15
    quit_tui
    run stop
    [ "$rc" = 0 ] || fail "stop exited $rc"
    out_has "stopped conductord (pid $pid)"
    out_has "stopped ollama-sim (pid $helper)"
    alive "$pid" && fail "conductord still runs"
    alive "$helper" && fail "the demo's ollama-sim still runs"
    [ -e "$work/run/ai-way/yollayah-sh.state" ] && fail "the state file is still there"
    true
    ;;

  web)
    # `web` starts the daemon with the HTTP listener and prints the page's URL with the token; a
    # second `web` reuses it; status names the listener; the URL serves the page and, with the
    # token, the API; stop removes the listener's file.
    port=$(free_port)
    extra_env=("OLLAMA_HOST=127.0.0.1:$port")
    run web
    [ "$rc" = 0 ] || fail "web exited $rc"
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/#token=[^ ]*' "$work/out" | head -n 1)
    [ -n "$url" ] || fail "web printed no page URL with a token"
    base=${url%%/#*}
    token=$(cat "$work/run/ai-way/session.token")
    [ "${url#*#token=}" = "$token" ] || fail "the URL's token is not the session token"
    pid=$(cat "$work/run/ai-way/conductor.pid")
    run web
    [ "$rc" = 0 ] || fail "a second web exited $rc"
    out_has "conductord already runs (pid $pid)"
    out_has "$url"
    run status
    out_has "http: $base"
    curl -sf "$base/" | grep -q '<title>Yollayah</title>' || fail "the URL does not serve the page"
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/tags")" = 401 ] || fail "the API answered without a token"
    curl -sf -H "Authorization: Bearer $token" "$base/api/tags" | grep -q '"models"' || fail "the API refused the token"
    run stop
    [ "$rc" = 0 ] || fail "stop exited $rc"
    [ -e "$work/run/ai-way/gateway.url" ] && fail "gateway.url outlived conductord"
    true
    ;;

  stop_foreign)
    # A PID file naming another program: stop leaves that program alone.
    mkdir -p "$work/run/ai-way"
    sleep 60 &
    other_pids+=("$!")
    echo "$!" >"$work/run/ai-way/conductor.pid"
    run stop
    [ "$rc" = 0 ] || fail "stop exited $rc"
    out_has "which is sleep, not conductord (left alone"
    alive "${other_pids[0]}" || fail "stop killed a process that is not conductord"
    run status
    [ "$rc" = 3 ] || fail "status exited $rc, not 3"
    ;;

  model_choice)
    # The original's rules: VRAM from nvidia-smi first, then RAM; YOLLAYAH_MODEL and --test win.
    mkdir -p "$work/fakebin"
    choose() {  # VRAM_MIB (empty: no GPU) MEMTOTAL_KB [args…]
      local vram=$1 ram=$2
      shift 2
      rm -f "$work/fakebin/nvidia-smi"
      if [ -n "$vram" ]; then
        printf '#!/bin/sh\necho %s\n' "$vram" >"$work/fakebin/nvidia-smi"
        chmod +x "$work/fakebin/nvidia-smi"
      fi
      printf 'MemTotal:       %s kB\n' "$ram" >"$work/meminfo"
      extra_env+=("YOLLAYAH_MEMINFO=$work/meminfo")
      run model "$@"
      [ "$rc" = 0 ] || fail "model exited $rc"
      cat "$work/out"
    }
    [ "$(choose 24576 8000000)" = llama3.1:8b ] || fail "24 GB of VRAM"
    [ "$(choose 12288 8000000)" = llama3.1:8b ] || fail "12 GB of VRAM"
    [ "$(choose 8192 64000000)" = llama3.2:3b ] || fail "8 GB of VRAM"
    [ "$(choose 6144 64000000)" = llama3.2:3b ] || fail "6 GB of VRAM"
    [ "$(choose 4096 64000000)" = llama3.2:1b ] || fail "4 GB of VRAM"
    [ "$(choose "" 32768000)" = llama3.2:3b ] || fail "32 GB of RAM"
    [ "$(choose "" 16303000)" = llama3.2:3b ] || fail "16 GB of RAM"
    [ "$(choose "" 8000000)" = llama3.2:1b ] || fail "8 GB of RAM"
    grep -qF "8 GB of RAM, no GPU" "$work/err" || fail "the reason is not given"
    [ "$(choose "" 8000000 --test)" = qwen2:0.5b ] || fail "--test"
    extra_env+=("YOLLAYAH_MODEL=mistral:7b")
    [ "$(choose 24576 8000000 --test)" = mistral:7b ] || fail "YOLLAYAH_MODEL"
    ;;

  usage)
    run --help
    [ "$rc" = 0 ] || fail "--help exited $rc"
    for word in start demo prepare daemon connect stop status model test --test --demo OLLAMA_HOST YOLLAYAH_MODEL; do
      grep -qw -- "$word" "$work/out" || fail "--help does not mention $word"
    done
    run frobnicate
    [ "$rc" = 2 ] || fail "an unknown subcommand exited $rc, not 2"
    [ "$(wc -l <"$work/err")" = 1 ] || fail "not one line for an unknown subcommand"
    grep -qF "unknown argument 'frobnicate'; see" "$work/err" || fail "the line does not say what to do"
    # Without a terminal the chat screen cannot open: one line says what to do instead.
    start_sim
    extra_env=("OLLAMA_HOST=127.0.0.1:$sim_port")
    run --test
    [ "$rc" = 1 ] || fail "start without a terminal exited $rc, not 1"
    [ "$(wc -l <"$work/err")" = 1 ] || fail "not one line on stderr without a terminal"
    grep -qF "the chat screen needs a terminal" "$work/err" || fail "no word about the terminal"
    ;;

  *)
    echo "unknown scenario: $scenario" >&2
    exit 2
    ;;
esac
echo "ok [$scenario]"
