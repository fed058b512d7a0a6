#!/usr/bin/env bash
# Regenerates every screenshot in screenshots/*.png from the current code:
#
#     bash screenshots/generate.sh
#
# It drives the real binary in a private tmux server (120x36, TERM=xterm-256color) on the
# embedded demo archive (`paperboy --demo`: a temporary cache, no network), captures the pane with
# its colours (`tmux capture-pane -e`), converts the capture to HTML (screenshots/ansi2html.py) and
# renders that with headless Chromium. The refresh picture uses a local, deliberately slow feed
# server on 127.0.0.1 (screenshots/slow_feed_server.py) instead of the demo.
#
# Needs tmux, chromium, a monospace font with box drawing (fonts-dejavu-core), python3 and cargo;
# installs the Debian packages with apt-get when run as root, else prints the command to run.
#
# Environment:
#   PAPERBOY_BIN=path   use this binary instead of building one (`cargo build --release`)
#   KEEP=1              keep the work directory (captures, HTML, logs) and print where it is
#   SCALE=2             render at twice the pixel density (sharper, about twice the bytes)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cd "$root"

COLS=120
ROWS=36

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'screenshots/generate.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# 1. What the script needs.

command -v python3 >/dev/null || die "python3 is needed"

find_chromium() {
    local c
    for c in chromium chromium-browser google-chrome-stable google-chrome; do
        if command -v "$c" >/dev/null; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

have_mono_font() {
    command -v fc-list >/dev/null && fc-list : family | grep -qiE 'DejaVu Sans Mono|Liberation Mono|Noto Sans Mono'
}

missing=()
command -v tmux >/dev/null || missing+=(tmux)
find_chromium >/dev/null || missing+=(chromium)
command -v fc-list >/dev/null || missing+=(fontconfig)
have_mono_font || missing+=(fonts-dejavu-core)

if ((${#missing[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        say "installing ${missing[*]} (apt-get install -y ${missing[*]})"
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y "${missing[@]}" >&2; then
            say "install failed: running apt-get update and trying again"
            apt-get update >&2
            apt-get install -y "${missing[@]}" >&2
        fi
    else
        die "missing: ${missing[*]}. Install them first, e.g.:
    sudo apt-get install -y ${missing[*]}
(on Debian/Ubuntu; other systems: tmux, Chromium and the DejaVu fonts from their package manager)"
    fi
fi
chromium=$(find_chromium) || die "chromium is still missing"
have_mono_font || die "no monospace font with box drawing (install fonts-dejavu-core)"
say "using $(tmux -V), $("$chromium" --version 2>/dev/null | head -1), $(python3 --version)"

# ---------------------------------------------------------------------------------------------
# 2. The binary.

if [[ -n ${PAPERBOY_BIN:-} ]]; then
    bin=$PAPERBOY_BIN
    [[ -x $bin ]] || die "PAPERBOY_BIN=$bin is not an executable"
    say "using $bin"
else
    command -v cargo >/dev/null || die "cargo is needed to build paperboy (or set PAPERBOY_BIN)"
    say "building: cargo build --release (a few minutes on a cold cache)"
    cargo build --release >&2
    bin=${CARGO_TARGET_DIR:-$root/target}/release/paperboy
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
say "$("$bin" --version)"

# ---------------------------------------------------------------------------------------------
# 3. A work directory, a private tmux server, and a clean environment for the program.

work=$(mktemp -d "${TMPDIR:-/tmp}/paperboy-shots.XXXXXX")
sock="paperboy-shots-$$"
server_pid=""
cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null || true
    if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
    if [[ ${KEEP:-} == 1 ]]; then
        say "kept the work directory: $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

mkdir -p "$work"/{home,config,data,state,cache,tmp}
cat >"$work/tmux.conf" <<'EOF'
set -g status off
set -g remain-on-exit on
set -g history-limit 0
set -g escape-time 0
EOF

# The program sees a fresh home: no user config, no user data, colours on.
run_env=(env -u NO_COLOR -u PAPERBOY_DATA_DIR -u PAPERBOY_CONFIG -u RUST_LOG -u PAPERBOY_LOG
    -u COLORTERM TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8
    HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
    XDG_STATE_HOME="$work/state" XDG_CACHE_HOME="$work/cache" TMPDIR="$work/tmp")

T() { tmux -L "$sock" -f "$work/tmux.conf" "$@"; }
screen() { T capture-pane -p -t shot; }
keys() { T send-keys -t shot "$@"; }

fail() {
    printf 'screenshots/generate.sh: %s\n--- the screen was:\n' "$*" >&2
    screen >&2 || true
    exit 1
}

# start CMD...: a new session running the program, COLSxROWS.
start() {
    T kill-session -t shot 2>/dev/null || true
    local cmd
    printf -v cmd '%q ' "${run_env[@]}" "$@"
    T new-session -d -s shot -x "$COLS" -y "$ROWS" "$cmd"
    local size
    size=$(T display-message -p -t shot '#{pane_width}x#{pane_height}')
    [[ $size == "${COLS}x${ROWS}" ]] || die "tmux pane is $size, not ${COLS}x${ROWS}"
}

# stop: quit the program (Ctrl-c), so that it removes its temporary cache, then the session.
stop() {
    keys C-c
    local i
    for ((i = 0; i < 50; i++)); do
        [[ $(T display-message -p -t shot '#{pane_dead}') == 1 ]] && break
        sleep 0.1
    done
    T kill-session -t shot 2>/dev/null || true
}

# wait_for TEXT [SECONDS]: polls the pane until it shows TEXT (a fixed string).
wait_for() {
    local text=$1 tenths=$((${2:-20} * 10)) i
    for ((i = 0; i < tenths; i++)); do
        [[ $(screen) == *"$text"* ]] && return 0
        sleep 0.1
    done
    fail "timed out waiting for \"$text\""
}

# wait_for_re REGEX [SECONDS]: the same with an extended regular expression.
wait_for_re() {
    local re=$1 tenths=$((${2:-20} * 10)) i
    for ((i = 0; i < tenths; i++)); do
        grep -qE -- "$re" <<<"$(screen)" && return 0
        sleep 0.1
    done
    fail "timed out waiting for /$re/"
}

# settle: waits until the screen stops changing (two equal captures 0.2 s apart).
settle() {
    local a b i
    a=$(T capture-pane -e -p -t shot)
    for ((i = 0; i < 50; i++)); do
        sleep 0.2
        b=$(T capture-pane -e -p -t shot)
        [[ $a == "$b" ]] && return 0
        a=$b
    done
}

# selected: the reverse-video text of the screen (the focused pane's selected row).
selected() {
    T capture-pane -e -p -t shot >"$work/selected.ans"
    python3 "$here/ansi2html.py" --reversed "$work/selected.ans" -
}

# press_until_selected KEY TEXT: presses KEY until the selected row contains TEXT.
press_until_selected() {
    local key=$1 text=$2 i
    settle
    for ((i = 0; i < 40; i++)); do
        [[ $(selected) == *"$text"* ]] && return 0
        keys "$key"
        settle
    done
    fail "pressed $key 40 times and \"$text\" never got selected"
}

# press_until_screen KEY TEXT: presses KEY until the screen shows TEXT.
press_until_screen() {
    local key=$1 text=$2 i
    settle
    for ((i = 0; i < 40; i++)); do
        [[ $(screen) == *"$text"* ]] && return 0
        keys "$key"
        settle
    done
    fail "pressed $key 40 times and \"$text\" never showed"
}

# shot NAME [nosettle]: captures the pane and renders screenshots/NAME.png.
shot() {
    local name=$1 size
    [[ ${2:-} == nosettle ]] || settle
    T capture-pane -e -p -t shot >"$work/$name.ans"
    size=$(python3 "$here/ansi2html.py" --cols "$COLS" --rows "$ROWS" --title "paperboy: $name" \
        "$work/$name.ans" "$work/$name.html")
    "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/chromium-profile" --hide-scrollbars --force-device-scale-factor="${SCALE:-1}" \
        --window-size="${size/ /,}" --screenshot="$work/$name.png" "file://$work/$name.html" \
        >"$work/chromium-$name.log" 2>&1 || {
        cat "$work/chromium-$name.log" >&2
        die "chromium failed on $name"
    }
    [[ -s $work/$name.png ]] || die "chromium wrote no $name.png (see above)"
    mv "$work/$name.png" "$here/$name.png"
    local dims
    dims=$(python3 -c 'import struct, sys; print("%dx%d" % struct.unpack(">II", open(sys.argv[1], "rb").read(24)[16:24]))' "$here/$name.png")
    say "screenshots/$name.png ($dims px, $(wc -c <"$here/$name.png") bytes)"
}

# ---------------------------------------------------------------------------------------------
# 4. The pictures. Focus starts on the Entries pane; Tab goes Feeds → Archive → Entries.

# help.png: the `?` overlay over the demo's start screen.
say "help.png"
start "$bin" --demo
wait_for "Feeds (3)"
wait_for "Archive"
settle
keys '?'
wait_for "Everywhere"
shot help
stop

# archive.png: the Connected Recovery feed selected, the archive on December 2014.
say "archive.png"
start "$bin" --demo
wait_for "Feeds (3)"
keys Tab
press_until_selected j "Connected Recovery"
keys Tab
keys g
press_until_screen j "December 2014 ("
shot archive
stop

# reader.png: a post citing five papers, with the link list (L) showing its DOIs.
say "reader.png"
start "$bin" --demo
wait_for "Feeds (3)"
keys Tab
press_until_selected j "Connected Recovery"
keys Tab
# The month shown follows the rows passed on the way (Starred, Papers): start from the newest.
keys g
press_until_screen j "August 2015 ("
keys Enter
press_until_selected j "A summer reading list"
keys Enter
wait_for "Papers (DOIs)"
keys L
wait_for "doi.org/10.1192/bjp.bp.110.083733"
shot reader
stop

# folders.png: the Feeds pane with the demo's folder, the Starred row and its starred entry.
say "folders.png"
start "$bin" --demo
wait_for "Feeds (3)"
keys Tab
press_until_selected j "★ Starred"
wait_for "A summer reading list"
shot folders
stop

# papers.png: the Papers view of December 2014, reached by the Feeds pane's Cited papers row:
# each paper once, most-cited first, the selected one in full below.
say "papers.png"
start "$bin" --demo
wait_for "Feeds (3)"
keys Tab
press_until_selected j "Cited papers"
wait_for "Papers · "
# The rows passed on the way (Unread, Starred) moved the month: jump to December 2014.
keys :
keys -l 2014-12
keys Enter
wait_for "Papers · December 2014 ("
keys Enter
shot papers
stop

# retracted.png: the demo's post citing a retracted paper (its real Crossref record is embedded in
# the demo: no network), marked ✗ in the entry list, opened, with the link list (L) saying
# RETRACTED under the DOI.
say "retracted.png"
start "$bin" --demo
wait_for "Feeds (3)"
keys Tab
press_until_selected j "Connected Recovery"
keys Tab
keys g
press_until_screen j "April 2015 ("
keys Enter
press_until_selected j "The paper that travelled"
wait_for "◆ ✗"
keys Enter
wait_for "Tom Whitfield"
keys L
wait_for "RETRACTED 2010-02-06 (notice doi:10.1016/s0140-6736(10)60175-4, Retraction Watch)"
shot retracted
stop

# search.png: `/` search results for "recovery".
say "search.png"
start "$bin" --demo
wait_for "Feeds (3)"
settle
keys /
settle
keys -l recovery
keys Enter
wait_for "recovery” ("
shot search
stop

# refresh.png: a refresh in progress, against a local feed server that answers slowly.
say "refresh.png (a local feed server on 127.0.0.1)"
python3 "$here/slow_feed_server.py" "$root/src/demo" "$work/port" --slow-flag "$work/slow" \
    >"$work/server.log" 2>&1 &
server_pid=$!
for ((i = 0; i < 100; i++)); do
    [[ -s $work/port ]] && break
    sleep 0.1
done
[[ -s $work/port ]] || die "the feed server did not start: $(cat "$work/server.log")"
port=$(cat "$work/port")
datadir="$work/refresh-data"
mkdir -p "$datadir"
for n in 1 2 3 4 5 6 7 8; do
    case $n in 3 | 6) ext=json ;; *) ext=xml ;; esac
    "${run_env[@]}" "$bin" --data-dir "$datadir" add "http://127.0.0.1:$port/feeds/$n.$ext" \
        >>"$work/add.log" 2>&1 || {
        cat "$work/add.log" >&2
        die "paperboy add failed"
    }
done
printf '[ui]\nrefresh_on_start = false\n' >"$datadir/config.toml"
touch "$work/slow"
start "$bin" --data-dir "$datadir"
wait_for "Feeds (8)"
keys Tab
press_until_selected j "Connected Recovery"
keys R
# Feeds finish one by one, about every half second: catch one in the middle.
wait_for_re "refreshing [3-6]/8" 30
shot refresh nosettle
grep -qE "refreshing [0-9]+/8" "$work/refresh.ans" || fail "the refresh ended before the capture"
stop
kill "$server_pid" 2>/dev/null || true
server_pid=""

say "done: screenshots/{archive,reader,help,folders,papers,retracted,search,refresh}.png"
