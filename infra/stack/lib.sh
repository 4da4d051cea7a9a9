# shellcheck shell=bash
# Shared helpers for the local (Docker-free) Mediawatch stack scripts.
# Sourced by infra/stack/*.sh; not meant to be run on its own.
#
# Environment knobs (all optional):
#   MEDIAWATCH_STACK_DIR   runtime state (data, logs, pid files); default <repo>/.stack
#   MEDIAWATCH_CACHE_DIR   downloaded jars etc.;                  default ~/.cache/mediawatch
#   MEDIAWATCH_QUIET=1     suppress info messages (errors/warnings still go to stderr)

if [[ -n "${_MW_LIB_LOADED:-}" ]]; then return 0; fi
_MW_LIB_LOADED=1

MW_STACK_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Repo root: the directory two levels above infra/stack, confirmed by git when
# available (so a symlinked checkout still resolves to the work tree).
mw_repo_root() {
    local guess
    guess="$(cd "$MW_STACK_LIB_DIR/../.." && pwd)"
    if command -v git >/dev/null 2>&1; then
        local top
        if top="$(git -C "$guess" rev-parse --show-toplevel 2>/dev/null)" && [[ -n "$top" ]]; then
            printf '%s\n' "$top"
            return 0
        fi
    fi
    printf '%s\n' "$guess"
}

# shellcheck disable=SC2034  # REPO_ROOT, STACK_DIR, CACHE_DIR, INFRA_DIR are used by the sourcing scripts
{
REPO_ROOT="$(mw_repo_root)"
STACK_DIR="${MEDIAWATCH_STACK_DIR:-$REPO_ROOT/.stack}"
CACHE_DIR="${MEDIAWATCH_CACHE_DIR:-${HOME:-/root}/.cache/mediawatch}"
INFRA_DIR="$REPO_ROOT/infra"
}

# ---------------------------------------------------------------- logging
_mw_tag="${MW_TAG:-stack}"
mw_set_tag() { _mw_tag="$1"; }

log()  { [[ "${MEDIAWATCH_QUIET:-0}" == 1 ]] || printf '[%s] %s\n' "$_mw_tag" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$_mw_tag" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "$_mw_tag" "$*" >&2; exit 1; }

# Print the last lines of a log file to stderr, indented (used on failures).
mw_tail_log() {
    local file="$1" n="${2:-40}"
    if [[ -f "$file" ]]; then
        printf '[%s] --- last %s lines of %s ---\n' "$_mw_tag" "$n" "$file" >&2
        tail -n "$n" "$file" | sed 's/^/    /' >&2
        printf '[%s] --- end of %s ---\n' "$_mw_tag" "$file" >&2
    else
        printf '[%s] (no log file at %s)\n' "$_mw_tag" "$file" >&2
    fi
}

# ---------------------------------------------------------------- misc
mw_is_root() { [[ "$(id -u)" == 0 ]]; }

mw_now() { date +%s; }

# Random alphanumeric secret (URL-safe, no quoting needed). Default 32 chars.
mw_random_secret() {
    local n="${1:-32}" s=""
    while ((${#s} < n)); do
        s+="$(head -c 96 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9')"
    done
    printf '%s\n' "${s:0:n}"
}

# Write stdin to a file with mode 600, atomically.
mw_write_secret_file() {
    local dest="$1" tmp
    tmp="$(mktemp "${dest}.XXXXXX")"
    chmod 600 "$tmp"
    cat >"$tmp"
    mv -f "$tmp" "$dest"
}

# Serialise start/stop of one component: mw_lock <name>. Held until the
# calling script exits (the fd stays open). Long-running children (servers)
# must not inherit these fds: start them after mw_close_lock_fds.
MW_LOCK_FDS=()
mw_lock() {
    local name="$1" fd
    mkdir -p "$STACK_DIR"
    exec {fd}>"$STACK_DIR/.$name.lock"
    MW_LOCK_FDS+=("$fd")
    if ! flock -w 120 "$fd"; then
        die "another stack command is still holding $STACK_DIR/.$name.lock (waited 120 s)"
    fi
}

# Close the lock fds in the current (sub)shell; call it in the subshell that
# execs a daemon so the daemon does not keep the lock held forever. Every other
# descriptor above stderr goes too: one inherited from the caller may hold a
# lock of its own (`flock FILE make demo` runs make with FILE open).
mw_close_lock_fds() {
    local fd
    for fd in "${MW_LOCK_FDS[@]}"; do
        exec {fd}>&-
    done
    MW_LOCK_FDS=()
    for fd in /proc/"${BASHPID:-$$}"/fd/*; do
        fd="${fd##*/}"
        if [[ "$fd" =~ ^[0-9]+$ ]] && ((fd > 2)); then { exec {fd}>&-; } 2>/dev/null || true; fi
    done
    return 0
}

# ---------------------------------------------------------------- processes
# Process state letter (R, S, T for stopped, Z, ...); empty if gone.
mw_pid_state() {
    local line="" rest
    [[ "$1" =~ ^[0-9]+$ ]] || return 0
    read -r line 2>/dev/null <"/proc/$1/stat" || return 0
    rest="${line##*) }"
    printf '%s\n' "${rest%% *}"
}

# True if pid is alive (a zombie counts as dead).
mw_pid_alive() {
    local state
    state="$(mw_pid_state "$1")"
    [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# Command line of pid with NULs turned into spaces (no subprocesses).
mw_pid_cmdline() {
    local -a _args=()
    [[ -r "/proc/$1/cmdline" ]] || return 1
    mapfile -d '' _args 2>/dev/null <"/proc/$1/cmdline" || return 1
    printf '%s\n' "${_args[*]}"
}

# True if the command line of pid contains the given fixed string.
mw_pid_cmdline_has() {
    local pid="$1" needle="$2" cmd
    cmd="$(mw_pid_cmdline "$pid")" || return 1
    [[ "$cmd" == *"$needle"* ]]
}

# Pids (one per line) whose command line contains the fixed string, optionally
# only those whose executable name (comm) equals <comm>.
mw_pids_matching() {
    local needle="$1" comm="${2:-}" d pid c
    local -a _args
    for d in /proc/[0-9]*; do
        pid="${d#/proc/}"
        [[ "$pid" == "$$" || "$pid" == "${BASHPID:-}" ]] && continue
        if [[ -n "$comm" ]]; then
            c=""
            read -r c 2>/dev/null <"$d/comm" || continue
            [[ "$c" == "$comm" ]] || continue
        fi
        _args=()
        mapfile -d '' _args 2>/dev/null <"$d/cmdline" || continue
        if [[ "${_args[*]}" == *"$needle"* ]]; then
            printf '%s\n' "$pid"
        fi
    done
}

# Read a pid file and print the pid if the process is alive and its command
# line contains <marker>. A stale pid file (dead process, or pid reused by an
# unrelated process) is removed and nothing is printed; returns 1 then.
mw_pidfile_read() {
    local file="$1" marker="${2:-}" pid
    [[ -f "$file" ]] || return 1
    pid="$(tr -dc '0-9' <"$file" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && mw_pid_alive "$pid" &&
        { [[ -z "$marker" ]] || mw_pid_cmdline_has "$pid" "$marker"; }; then
        printf '%s\n' "$pid"
        return 0
    fi
    rm -f "$file"
    return 1
}

# Send SIGTERM (plus SIGCONT so a SIGSTOPped process can act on it), wait up
# to <timeout> seconds, then SIGKILL. Returns 0 once all given pids are gone.
mw_terminate() {
    local timeout="$1"; shift
    local pids=("$@") pid deadline left
    ((${#pids[@]})) || return 0
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        kill -CONT "$pid" 2>/dev/null || true
    done
    deadline=$(($(mw_now) + timeout))
    while :; do
        left=()
        for pid in "${pids[@]}"; do
            mw_pid_alive "$pid" && left+=("$pid")
        done
        ((${#left[@]})) || return 0
        if (($(mw_now) >= deadline)); then
            warn "process(es) ${left[*]} still alive after ${timeout}s; sending SIGKILL"
            for pid in "${left[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
            sleep 0.5
            pids=("${left[@]}")
            left=()
            for pid in "${pids[@]}"; do mw_pid_alive "$pid" && left+=("$pid"); done
            ((${#left[@]})) && { warn "could not kill ${left[*]}"; return 1; }
            return 0
        fi
        sleep 0.2
    done
}

# ---------------------------------------------------------------- network
# True if something accepts TCP connections on host:port (default 127.0.0.1).
mw_port_open() {
    local port="$1" host="${2:-127.0.0.1}"
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# Wait until host:port accepts connections. mw_wait_for_port PORT [TIMEOUT] [HOST]
mw_wait_for_port() {
    local port="$1" timeout="${2:-30}" host="${3:-127.0.0.1}" deadline
    deadline=$(($(mw_now) + timeout))
    until mw_port_open "$port" "$host"; do
        (($(mw_now) >= deadline)) && return 1
        sleep 0.2
    done
}

# Who listens on a TCP port (best effort, for error messages).
mw_port_owner() {
    local port="$1"
    command -v ss >/dev/null 2>&1 || return 0
    ss -Hltnp "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n1
}

# ---------------------------------------------------------------- output
# Print a row of the compact status table used by status commands.
mw_status_row() {
    printf '%-18s %-8s %-22s %s\n' "$1" "$2" "$3" "$4"
}
