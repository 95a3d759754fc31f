#!/usr/bin/env bash
# End-to-end tests of the real `yollayah` TUI: it runs inside tmux against ollama-sim, keys go in
# with send-keys and the screen comes back with capture-pane.
#
# Usage: tests/e2e/tui_e2e.sh BIN_DIR SCENARIO
# Scenarios: greeting, streaming, no_tags, cancel, resize, quit_restores, ctrl_c_twice, tiny, connect,
# not_a_tty, editor, editor_fails, editor_interrupted, help, copy, theme, table, resume,
# edit_branch, history_off, demo
set -euo pipefail

bin_dir=$1
scenario=$2
work=$(mktemp -d)
tmux_socket="yollayah-e2e-$$"
sim_pid=""
daemon_pid=""
tui_args=""  # extra yollayah flags for start_tui
tmux_conf=/dev/null  # the tmux configuration start_tui uses

cleanup() {
  tmux -L "$tmux_socket" kill-server 2>/dev/null || true
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL [$scenario]: $*" >&2
  echo "--- screen ---" >&2
  screen >&2 || true
  exit 1
}

# Starts ollama-sim on an ephemeral port with the given flags; sets $sim_port.
start_sim() {
  "$bin_dir/ollama-sim" --port 0 "$@" >"$work/sim.out" 2>"$work/sim.err" &
  sim_pid=$!
  for _ in $(seq 100); do
    if grep -q 'listening on' "$work/sim.out" 2>/dev/null; then break; fi
    sleep 0.05
  done
  sim_port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' "$work/sim.out")
  [ -n "$sim_port" ] || fail "ollama-sim did not start: $(cat "$work/sim.err")"
}

# Runs yollayah (with $tui_args) in a fresh tmux session of the given size, with extra VAR=value
# environment settings. After it exits, the shell records the terminal state (alternate screen,
# stty) and the exit code, then waits.
start_tui() {
  local cols=$1 rows=$2
  shift 2
  local env_vars="HOME=$work XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state XDG_RUNTIME_DIR=$work/run"
  env_vars+=" OLLAMA_HOST=127.0.0.1:$sim_port TERM=xterm-256color $*"
  tmux -L "$tmux_socket" -f "$tmux_conf" new-session -d -s e2e -x "$cols" -y "$rows" \
    "env $env_vars $bin_dir/yollayah $tui_args; echo \"EXIT=\$?\" > $work/exit; stty -a > $work/stty; sleep 60"
}

screen() { tmux -L "$tmux_socket" capture-pane -p -t e2e; }
keys() { tmux -L "$tmux_socket" send-keys -t e2e "$@"; }
alternate_on() { tmux -L "$tmux_socket" display-message -p -t e2e '#{alternate_on}'; }

# Waits (up to $2 seconds, default 10) until the screen contains $1.
wait_for() {
  local text=$1 timeout=${2:-10}
  local deadline=$((SECONDS + timeout))
  while [ $SECONDS -lt "$deadline" ]; do
    if screen | grep -qF -- "$text"; then return 0; fi
    sleep 0.05
  done
  fail "timed out waiting for '$text'"
}

wait_gone() {
  local text=$1 timeout=${2:-10}
  local deadline=$((SECONDS + timeout))
  while [ $SECONDS -lt "$deadline" ]; do
    if ! screen | grep -qF -- "$text"; then return 0; fi
    sleep 0.05
  done
  fail "timed out waiting for '$text' to go away"
}

# Fails if a tag is ever on screen while $1 seconds pass (sampled every 20 ms).
never_shows_tags() {
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt "$deadline" ]; do
    if screen | grep -qF '[yolla:'; then fail "a [yolla: tag reached the screen"; fi
    sleep 0.02
  done
}

wait_exit() {
  for _ in $(seq 100); do
    [ -s "$work/exit" ] && return 0
    sleep 0.05
  done
  fail "yollayah did not exit"
}

case "$scenario" in
  greeting)
    start_sim
    start_tui 100 30
    wait_for "I'm Yollayah, your axolotl companion"
    wait_for "Ready"
    screen | grep -qF "tok/s" || fail "no metadata line after the greeting"
    ;;

  streaming)
    start_sim --tokens-per-sec 12 --seed 7 --tokens 40
    start_tui 100 30
    wait_for "Ready" 15
    keys "tell me about axolotls" Enter
    wait_for "you › tell me about axolotls"
    wait_for "Responding"
    # Mid-stream: the answer is on screen with the streaming cursor, and it grows.
    wait_for "▌"
    first=$(screen | grep -c . || true)
    sleep 1
    second=$(screen | tr -d ' \n' | wc -c)
    sleep 1
    third=$(screen | tr -d ' \n' | wc -c)
    [ "$third" -gt "$second" ] || fail "the answer did not grow while streaming ($second -> $third chars, $first lines)"
    wait_for "Ready" 15
    wait_gone "▌"
    [ "$(screen | grep -cF 'tok/s')" -ge 2 ] || fail "no metadata line after the answer"
    ;;

  no_tags)
    # The greeting and the answer both carry tags split across tokens; none may ever be shown.
    start_sim --tokens-per-sec 40
    start_tui 100 30
    never_shows_tags 2
    wait_for "Ready"
    keys "hello" Enter
    never_shows_tags 2
    wait_for "Ready"
    ;;

  cancel)
    # Every answer is 400 slow tokens (about a minute): the greeting first, then the reply.
    start_sim --tokens-per-sec 8 --seed 3 --tokens 400
    start_tui 100 30
    wait_for "Responding" 10
    keys Escape
    wait_for "interrupted" 5
    wait_for "Ready" 5
    keys "write a long story" Enter
    wait_for "you › write a long story"
    wait_for "Responding" 10
    sleep 0.5
    keys Escape
    wait_for "Ready" 5
    # Both the greeting and the reply are marked (each was a second or so of text).
    [ "$(screen | grep -cF 'interrupted')" -ge 2 ] || fail "the reply is not marked interrupted"
    [ ! -s "$work/exit" ] || fail "Esc during an answer quit instead of cancelling"
    ;;

  resize)
    start_sim
    start_tui 100 30
    wait_for "Ready"
    tmux -L "$tmux_socket" resize-window -t e2e -x 50 -y 16
    sleep 0.5
    # Everything fits the new width, the status bar is on the last row, the greeting reflowed.
    width=$(screen | LC_ALL=C.UTF-8 wc -L)
    [ "$width" -le 50 ] || fail "a line is wider than the new terminal ($width)"
    screen | tail -n 1 | grep -qF "Ready" || fail "the status bar is not on the last row"
    wait_for "axolotl"
    tmux -L "$tmux_socket" resize-window -t e2e -x 120 -y 40
    sleep 0.5
    screen | tail -n 1 | grep -qF "Ready" || fail "the status bar is not on the last row after growing"
    [ "$(screen | grep -cF '──────')" -ge 1 ] || fail "the input rule was not redrawn"
    ;;

  quit_restores)
    start_sim
    start_tui 100 30
    wait_for "Ready"
    [ "$(alternate_on)" = 1 ] || fail "the TUI is not on the alternate screen"
    keys Escape
    wait_exit
    grep -q 'EXIT=0' "$work/exit" || fail "exit code: $(cat "$work/exit")"
    [ "$(alternate_on)" = 0 ] || fail "the alternate screen is still on after quitting"
    grep -qw 'echo' "$work/stty" || fail "echo is off after quitting"
    grep -qw 'icanon' "$work/stty" || fail "the terminal is still in raw mode"
    grep -qw -- '-echo' "$work/stty" && fail "echo is off after quitting"
    wait_for "Bye for now"
    ;;

  ctrl_c_twice)
    start_sim
    start_tui 100 30
    wait_for "Ready"
    keys C-c
    wait_for "Ctrl+C again"
    keys C-c
    wait_exit
    [ "$(alternate_on)" = 0 ] || fail "the alternate screen is still on after Ctrl+C twice"
    grep -qw 'icanon' "$work/stty" || fail "the terminal is still in raw mode"
    ;;

  table)
    # An answer with a table and a task list: the columns line up in a box, the boxes show.
    printf '%s\n' 'Compare:\n\n' '| language | typing | speed |\n' '|:---|:---:|---:|\n' \
      '| Python | dynamic | 1x |\n' '| Rust | static | 40x |\n' '| 日本語 | — | — |\n\n' \
      '- [x] done\n' '- [ ] to do\n' >"$work/script"
    start_sim --script "$work/script" --tokens 9
    start_tui 100 30
    wait_for "☐ to do" 15
    wait_for "┌"
    rows=$(screen | grep -cE '│ (Python|Rust|language) ' || true)
    [ "$rows" -ge 3 ] || fail "the table's rows are not on screen"
    screen | grep -qE '│ Python +│ +dynamic +│ +1x │' || fail "the Python row is not laid out in columns"
    screen | grep -qE '│ Rust +│ +static +│ +40x │' || fail "the Rust row is not laid out in columns"
    # Same length up to the right border: the columns line up (speed right-aligned).
    py=$(screen | grep -m1 '│ Python' | sed 's/ *$//' | wc -m)
    rs=$(screen | grep -m1 '│ Rust' | sed 's/ *$//' | wc -m)
    [ "$py" -eq "$rs" ] || fail "the rows differ in width ($py vs $rs characters)"
    screen | grep -qF '☑ done' || fail "no checked box"
    ;;

  demo)
    # The demo persona as a newcomer meets it (issue 14): asked for code it answers with a
    # highlighted block that /copy code puts on the clipboard (OSC 52 in the pane's output), and
    # asked to compare it answers with a table whose columns line up.
    start_sim --demo --tokens-per-sec 400 --ttft-ms 50
    start_tui 120 50
    tmux -L "$tmux_socket" pipe-pane -o -t e2e "cat >> $work/pane.out"
    wait_for "Ready" 20
    keys "write a function in python" Enter
    wait_for "Ties keep the order" 30
    wait_for "Ready"
    # Highlighted: the line `def top_words(text: str, n: int = 3) …` carries several foreground
    # colours (keyword, name, number, the rest), where a plain block has one.
    colours=$(tmux -L "$tmux_socket" capture-pane -p -e -t e2e | grep -m1 -E 'def.*top_words' |
      { grep -oE '38;(2;[0-9]+;[0-9]+;[0-9]+|5;[0-9]+)' || true; } | sort -u | wc -l)
    [ "$colours" -ge 3 ] || fail "the code block is not highlighted ($colours foreground colours)"
    keys "/copy code" Enter
    wait_for "Copied"
    sleep 0.3
    block=$(awk '/^```python$/ {on = 1; next} on && /^```$/ {exit} on {print}' \
      "$(dirname "$0")/../../apps/ollama-sim/demo/code/python.md")
    want=$(printf '%s\n' "$block" | base64 -w0)
    grep -qF "]52;c;$want" "$work/pane.out" || fail "/copy code did not put the Python block on the clipboard"
    keys "compare python and rust" Enter
    wait_for "In short" 30
    screen | grep -qF "┌" || fail "no table box"
    py=$(screen | grep -m1 '│ Python ' | sed 's/ *$//' | wc -m)
    rs=$(screen | grep -m1 '│ Rust ' | sed 's/ *$//' | wc -m)
    if [ "$py" -eq 0 ] || [ "$py" -ne "$rs" ]; then
      fail "the table's rows do not line up ($py vs $rs characters)"
    fi
    ;;

  tiny)
    start_sim
    start_tui 20 6
    wait_for "›" 10
    sleep 1
    tmux -L "$tmux_socket" resize-window -t e2e -x 12 -y 4
    sleep 0.3
    tmux -L "$tmux_socket" resize-window -t e2e -x 20 -y 6
    keys "hi" Enter
    sleep 1
    [ ! -s "$work/exit" ] || fail "yollayah exited in a tiny terminal: $(cat "$work/exit")"
    ;;

  connect)
    # Two TUIs on one conductord mirror each other; the daemon restarts and the TUI comes back.
    start_sim --tokens-per-sec 30
    sock="$work/run/ai-way/conductor.sock"
    mkdir -p "$work/run"
    start_daemon() {
      env OLLAMA_HOST=127.0.0.1:"$sim_port" HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state" \
        XDG_RUNTIME_DIR="$work/run" "$bin_dir/conductord" --socket "$sock" --log-level warn >>"$work/daemon.log" 2>&1 &
      daemon_pid=$!
      for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
      [ -S "$sock" ] || fail "conductord did not start: $(cat "$work/daemon.log")"
    }
    start_daemon
    tui_args="--connect=$sock"
    start_tui 100 30
    tmux -L "$tmux_socket" new-window -d -t e2e -n second \
      "env HOME=$work XDG_RUNTIME_DIR=$work/run XDG_STATE_HOME=$work/state TERM=xterm-256color $bin_dir/yollayah --connect=$sock; sleep 60"
    wait_for "conductord"
    wait_for "Ready" 15
    keys "mirror me" Enter
    wait_for "you › mirror me"
    sleep 0.3
    tmux -L "$tmux_socket" capture-pane -p -t e2e:second | grep -qF "you › mirror me" || fail "the second TUI does not mirror the first"
    # The daemon goes away: the TUI says so and keeps running; a new daemon brings it back.
    kill "$daemon_pid"
    wait "$daemon_pid" 2>/dev/null || true
    wait_for "reconnecting" 5
    [ ! -s "$work/exit" ] || fail "the TUI quit when the daemon stopped: $(cat "$work/exit")"
    start_daemon
    wait_for "Reconnected" 10
    wait_for "● conductord" 5
    keys "back again" Enter
    wait_for "you › back again" 10
    kill "$daemon_pid" 2>/dev/null || true
    ;;

  editor)
    # Ctrl+G hands the message to $EDITOR (a script that appends a line); it comes back in the box,
    # not sent; the terminal is back in raw mode on the alternate screen; Enter then sends it.
    start_sim
    # shellcheck disable=SC2016  # $1 is the editor script's own argument
    printf '#!/bin/sh\necho "appended by the editor" >> "$1"\n' > "$work/editor.sh"
    chmod +x "$work/editor.sh"
    start_tui 100 30 VISUAL= EDITOR="$work/editor.sh"
    wait_for "Ready"
    keys "typed in the box"
    wait_for "typed in the box"
    keys C-g
    wait_for "appended by the editor"
    screen | grep -qF "you › typed in the box" && fail "the edited message was sent"
    [ "$(alternate_on)" = 1 ] || fail "the TUI is not back on the alternate screen"
    # Ctrl+X Ctrl+E does the same, and keys typed afterwards land in the box (raw mode is back).
    keys C-x C-e
    wait_for "appended by the editor" 5
    keys " and more"
    wait_for "and more"
    keys Enter
    wait_for "you › typed in the box"
    [ ! -s "$work/exit" ] || fail "yollayah exited: $(cat "$work/exit")"
    ;;

  editor_fails)
    # An editor that exits non-zero: a toast says so, the message is unchanged, the TUI works on.
    start_sim
    start_tui 100 30 VISUAL= EDITOR=false
    wait_for "Ready"
    keys "keep me"
    wait_for "keep me"
    keys C-g
    wait_for "exited with status 1"
    keys " still typing"
    wait_for "keep me still typing"
    [ "$(alternate_on)" = 1 ] || fail "the TUI is not back on the alternate screen"
    ;;

  editor_interrupted)
    # Ctrl+C while the editor runs reaches only the editor (its own foreground process group):
    # the TUI says so and carries on in raw mode, with the message unchanged.
    start_sim
    printf '#!/bin/sh\nexec sleep 30\n' > "$work/slow-editor.sh"
    chmod +x "$work/slow-editor.sh"
    start_tui 100 30 VISUAL= EDITOR="$work/slow-editor.sh"
    wait_for "Ready"
    keys "keep me"
    wait_for "keep me"
    keys C-g
    wait_gone "keep me"
    keys C-c
    wait_for "stopped by signal 2"
    [ ! -s "$work/exit" ] || fail "Ctrl+C in the editor ended yollayah: $(cat "$work/exit")"
    [ "$(alternate_on)" = 1 ] || fail "the TUI is not back on the alternate screen"
    keys " again"
    wait_for "keep me again"
    ;;

  help)
    start_sim
    start_tui 100 30
    wait_for "Ready"
    keys F1
    wait_for "type to filter"
    wait_for "/copy code [N]"
    wait_for "Ctrl+L"
    keys "copy"
    wait_gone "Ctrl+L"
    wait_for "Ctrl+Y"
    keys Escape
    wait_gone "type to filter"
    # '?' on an empty box opens it too; in a non-empty box it is typed.
    keys "?"
    wait_for "type to filter"
    keys Escape
    wait_gone "type to filter"
    keys "why?"
    wait_for "why?"
    ;;

  copy)
    # /copy code writes OSC 52 with the block's text, base64-encoded: read from the pane's output.
    printf '%s\n' 'Here you go:' '\n' '```python' '\n' 'print("first")' '\n' '```' '\n' 'and' '\n' '```sh' '\n' 'echo second' '\n' '```' > "$work/code.txt"
    start_sim --route "code=$work/code.txt"
    start_tui 100 30
    tmux -L "$tmux_socket" pipe-pane -o -t e2e "cat >> $work/pane.out"
    wait_for "Ready"
    keys "/copy code" Enter
    wait_for "has no code block"
    keys "show me code" Enter
    wait_for "echo second"
    wait_for "Ready"
    keys "/copy code 1" Enter
    wait_for "Copied 15 bytes (code block 1 of 2)"
    keys "/copy code" Enter
    wait_for "Copied 12 bytes (code block 2 of 2)"
    sleep 0.3
    want1=$(printf 'print("first")\n' | base64 -w0)
    want2=$(printf 'echo second\n' | base64 -w0)
    grep -qF "]52;c;$want1" "$work/pane.out" || fail "no OSC 52 with code block 1 in the pane's output"
    grep -qF "]52;c;$want2" "$work/pane.out" || fail "no OSC 52 with code block 2 in the pane's output"
    keys "/copy code 5" Enter
    wait_for "no code block 5 (it has 2)"
    # Ctrl+Y copies the whole answer: its Markdown, fences included.
    keys C-y
    wait_for "Copied 67 bytes"
    sleep 0.3
    last=$(grep -ao ']52;c;[A-Za-z0-9+/=]*' "$work/pane.out" | tail -n 1 | cut -d';' -f3 | base64 -d)
    case $last in
      *'Here you go:'*'```python'*'echo second'*) ;;
      *) fail "Ctrl+Y did not copy the answer's Markdown: $last" ;;
    esac
    ;;

  theme)
    # The light palette's accent is a deep pink (196,30,98), the dark one's a light pink
    # (255,143,177). tmux answers OSC 11 with the window-style background when one is set.
    styled() { tmux -L "$tmux_socket" capture-pane -e -p -t e2e; }
    start_sim
    printf 'set -g window-style "bg=#ffffff"\n' > "$work/light.conf"
    tmux_conf="$work/light.conf"
    start_tui 100 30 COLORTERM=truecolor
    wait_for "Ready"
    styled | grep -qF "38;2;196;30;98" || fail "a white background (OSC 11) did not give the light palette"
    # YOLLAYAH_THEME overrides what the terminal says. Each run gets a server of its own (a new
    # session on a server still exiting fails).
    tmux -L "$tmux_socket" kill-server
    tmux_socket="$tmux_socket-dark"
    start_tui 100 30 COLORTERM=truecolor YOLLAYAH_THEME=dark
    wait_for "Ready"
    styled | grep -qF "38;2;255;143;177" || fail "YOLLAYAH_THEME=dark did not give the dark palette"
    tmux -L "$tmux_socket" kill-server
    tmux_socket="${tmux_socket%-dark}-light"
    tmux_conf=/dev/null
    start_tui 100 30 COLORTERM=truecolor YOLLAYAH_THEME=light
    wait_for "Ready"
    styled | grep -qF "38;2;196;30;98" || fail "YOLLAYAH_THEME=light did not give the light palette"
    ;;

  resume)
    # Two conversations kept by `ask`; `--resume` opens on the picker, ↓ Enter picks one; `--resume ID`
    # opens on that one directly.
    start_sim --tokens-per-sec 200
    ask() { env OLLAMA_HOST=127.0.0.1:"$sim_port" HOME="$work" XDG_CONFIG_HOME="$work/config" \
      XDG_STATE_HOME="$work/state" "$bin_dir/yollayah" ask "$@" >/dev/null 2>>"$work/ask.err"; }
    ask "alpha question" || fail "ask failed: $(cat "$work/ask.err")"
    ask "beta question" || fail "ask failed: $(cat "$work/ask.err")"
    tui_args="--resume"
    start_tui 100 30
    wait_for "History · ↑↓" 15
    wait_for "› beta question"
    wait_for "alpha question"
    keys Down
    wait_for "› alpha question"
    keys Enter
    wait_for "What you say now continues it" 10
    wait_gone "History · ↑↓"
    keys "/quit" Enter
    wait_exit
    id=$(env HOME="$work" "$bin_dir/yollayah" history list --json | sed -n 's/.*"id":"\([^"]*\)","title":"beta question".*/\1/p')
    [ -n "$id" ] || fail "no id for the beta conversation"
    tmux -L "$tmux_socket" new-window -d -t e2e -n second \
      "env HOME=$work XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state OLLAMA_HOST=127.0.0.1:$sim_port TERM=xterm-256color $bin_dir/yollayah --resume ${id:0:13}; sleep 60"
    for _ in $(seq 200); do
      tmux -L "$tmux_socket" capture-pane -p -t e2e:second | grep -qF "you › beta question" && break
      sleep 0.05
    done
    tmux -L "$tmux_socket" capture-pane -p -t e2e:second | grep -qF "you › beta question" ||
      fail "--resume ID did not open on that conversation"
    ;;

  edit_branch)
    # ↑ on an empty box edits the last message; Enter sends it as a new branch, answered without
    # the old exchange; Alt+← shows the old question and its answer again. After one more turn,
    # Alt+→ still reaches the question on screen (not only the last pair) and shows the edit.
    printf 'Plain\n answer\n' >"$work/plain.txt"
    printf 'Remembered\n alpha\n' >"$work/alpha.txt"
    printf 'Then\n answer\n' >"$work/then.txt"
    start_sim --script "$work/plain.txt" --route "and then=$work/then.txt" --route "alpha question=$work/alpha.txt"
    start_tui 100 30
    wait_for "Ready" 15
    keys "alpha question" Enter
    wait_for "Remembered alpha" 15
    keys Up
    wait_for "editing your last message"
    keys C-u "beta question" Enter
    wait_for "Plain answer" 15
    wait_gone "Remembered alpha"
    wait_for "2/2"
    keys M-Left
    wait_for "Question 1/2" 10
    wait_for "Remembered alpha"
    keys "and then" Enter
    wait_for "Then answer" 15
    keys M-Right
    wait_for "Question 2/2" 10
    wait_for "Plain answer"
    wait_gone "Then answer"
    ;;

  history_off)
    start_sim
    tui_args="--no-history"
    start_tui 100 30
    wait_for "Ready" 15
    wait_for "history off"
    keys "/history" Enter
    wait_for "History is off" 10
    ;;

  not_a_tty)
    start_sim
    out=$(env OLLAMA_HOST=127.0.0.1:"$sim_port" HOME="$work" "$bin_dir/yollayah" </dev/null 2>&1 || true)
    echo "$out" | grep -qF "yollayah ask" || fail "no pointer to 'yollayah ask' without a TTY: $out"
    ;;

  *)
    echo "unknown scenario: $scenario" >&2
    exit 2
    ;;
esac
echo "ok [$scenario]"
