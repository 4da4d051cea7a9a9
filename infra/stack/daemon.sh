#!/usr/bin/env bash
# A Debian-packaged server run as a process of the stack (not the package's own service):
# what infra/stack/prometheus.sh and alertmanager.sh share. Sourced after lib.sh by a
# script that sets, before calling daemon_main:
#   D_TITLE     its name in messages (Prometheus)
#   D_PART      its name in the status table, the lock and the help (prometheus)
#   D_PACKAGE   Debian's package (prometheus), also the name of the package's own service
#   D_TOOLS     its binaries, as messages name them (prometheus/promtool)
#   D_PORT, D_PORT_VAR   the port on 127.0.0.1 and the variable that sets it
#   D_DIR, D_LOG_FILE, D_PID_FILE, D_MARKER (an argument only this server's command has)
#   D_COMM      (optional) the process name its processes have, to find them by
# and defines the functions have_both, version, install_config (copy and check the
# configuration; status 1 when it did not change) and server_command (fills the array
# D_CMD with the command line).

D_START_TIMEOUT=60

# The package's own service would take the port on every address: keep it stopped and
# disabled.
disable_package_service() {
    if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
        systemctl disable --now "$D_PACKAGE.service" >/dev/null 2>&1 || true
    elif [[ -x "/etc/init.d/$D_PACKAGE" ]]; then
        "/etc/init.d/$D_PACKAGE" stop >/dev/null 2>&1 || true
        update-rc.d "$D_PACKAGE" disable >/dev/null 2>&1 || true
    fi
}

cmd_ensure() {
    have_both && return 0
    local how="install it: Debian/Ubuntu 'sudo apt-get install -y $D_PACKAGE', or put ${D_TOOLS/\// and } (https://prometheus.io/download/) on PATH"
    if [[ "${MEDIAWATCH_NO_INSTALL:-0}" == 1 ]]; then
        die "$D_TOOLS not found (MEDIAWATCH_NO_INSTALL=1, so not installing); $how"
    fi
    if ! mw_is_root || ! command -v apt-get >/dev/null 2>&1; then
        die "$D_TOOLS not found; $how"
    fi
    mw_lock apt
    have_both && return 0 # installed while we waited for the lock
    mkdir -p "$STACK_DIR"
    local alog="$STACK_DIR/apt-$D_PART.log" t0
    t0=$(mw_now)
    log "$D_TOOLS not found; installing Debian's $D_PACKAGE package (log: $alog)"
    if ! { apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            -o Dpkg::Options::=--force-confold "$D_PACKAGE"; } >"$alog" 2>&1; then
        mw_tail_log "$alog" 20
        die "apt-get install $D_PACKAGE failed; $how"
    fi
    disable_package_service
    hash -r
    have_both || die "$D_PACKAGE installed but $D_TOOLS still not on PATH"
    log "installed $D_TITLE $(version) in $(($(mw_now) - t0))s"
}

server_pid() { mw_pidfile_read "$D_PID_FILE" "$D_MARKER"; }

# An HTTP GET on the server; prints the body, fails unless the status is 200.
http_get() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$D_PORT" || exit 1
        printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3
        IFS= read -r -t 5 line <&3 || exit 1
        [[ "$line" == *" 200 "* ]] || exit 1
        timeout 10 cat <&3
    ) 2>/dev/null
}

ready() { http_get /-/ready >/dev/null; }

start_server() {
    if mw_port_open "$D_PORT"; then
        local owner
        owner="$(mw_port_owner "$D_PORT")"
        die "port $D_PORT is already in use${owner:+ by $owner}; stop it or set $D_PORT_VAR"
    fi
    local -a D_CMD=()
    server_command
    printf '\n==== %s starting %s %s ====\n' "$(date -Is)" "$D_TITLE" "$(version)" >>"$D_LOG_FILE"
    rm -f "$D_PID_FILE"
    (
        mw_close_lock_fds
        cd "$D_DIR"
        # shellcheck disable=SC2016
        exec nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$D_PID_FILE" "${D_CMD[@]}" \
            </dev/null >>"$D_LOG_FILE" 2>&1
    ) &
    local deadline
    deadline=$(($(mw_now) + D_START_TIMEOUT))
    until ready; do
        if [[ -s "$D_PID_FILE" ]] && ! server_pid >/dev/null; then
            mw_tail_log "$D_LOG_FILE" 30
            die "$D_TITLE exited during start-up (log: $D_LOG_FILE)"
        fi
        if (($(mw_now) >= deadline)); then
            mw_tail_log "$D_LOG_FILE" 30
            die "$D_TITLE not ready on 127.0.0.1:$D_PORT within ${D_START_TIMEOUT}s"
        fi
        sleep 0.3
    done
    log "up on 127.0.0.1:$D_PORT ($D_TITLE $(version), pid $(cat "$D_PID_FILE"), log $D_LOG_FILE)"
}

reload_server() {
    local pid="$1" changed="$2"
    if ((changed)); then
        kill -HUP "$pid"
        log "running on 127.0.0.1:$D_PORT (pid $pid); configuration reloaded"
    else
        log "already running on 127.0.0.1:$D_PORT (pid $pid)"
    fi
}

cmd_up() {
    (($# == 0)) || { [[ "$1" == -h || "$1" == --help ]] && { usage; exit 0; }; die "unexpected argument: $1"; }
    [[ "$D_PORT" =~ ^[0-9]+$ ]] || die "$D_PORT_VAR must be a number"
    cmd_ensure
    mw_lock "$D_PART"
    mkdir -p "$D_DIR"
    local pid changed=1
    install_config || changed=0
    if pid="$(server_pid)"; then
        reload_server "$pid" "$changed"
        return 0
    fi
    start_server
}

cmd_reload() {
    (($# == 0)) || die "unexpected argument: $1"
    have_both || die "$D_TOOLS not found: run infra/stack/$D_PART.sh ensure"
    mw_lock "$D_PART"
    mkdir -p "$D_DIR"
    local pid changed=1
    install_config || changed=0
    pid="$(server_pid)" || die "$D_TITLE is not running (start it: infra/stack/$D_PART.sh up)"
    reload_server "$pid" "$changed"
}

cmd_down() {
    (($# == 0)) || { [[ "$1" == -h || "$1" == --help ]] && { usage; exit 0; }; die "unexpected argument: $1"; }
    mw_lock "$D_PART"
    local -a pids=()
    local pid
    if pid="$(server_pid)"; then pids+=("$pid"); fi
    while read -r pid; do
        [[ -n "$pid" && " ${pids[*]} " != *" $pid "* ]] && pids+=("$pid")
    done < <(mw_pids_matching "$D_MARKER" "${D_COMM:-}")
    if ((${#pids[@]} == 0)); then
        log "not running"
        return 0
    fi
    mw_terminate 30 "${pids[@]}" || die "could not stop $D_TITLE (pid ${pids[*]})"
    rm -f "$D_PID_FILE"
    log "stopped"
}

cmd_status() {
    local header=1
    [[ "${1:-}" == --no-header ]] && header=0
    ((header)) && mw_status_row PART STATE ADDRESS VERSION
    local address="127.0.0.1:$D_PORT"
    if ! have_both; then
        mw_status_row "$D_PART" missing "$address" "run: infra/stack/$D_PART.sh ensure"
        return 3
    fi
    local state=up
    if ! server_pid >/dev/null; then
        state=down
    elif ! ready; then
        state=starting
    fi
    mw_status_row "$D_PART" "$state" "$address" "$D_PART $(version)"
    [[ "$state" == up ]] || return 3
}

# Run the command named by the arguments.
daemon_main() {
    case "${1:-}" in
        ensure) shift; cmd_ensure "$@" ;;
        up) shift; cmd_up "$@" ;;
        reload) shift; cmd_reload "$@" ;;
        down) shift; cmd_down "$@" ;;
        status) shift; cmd_status "$@" ;;
        -h | --help | help) usage ;;
        "") usage >&2; exit 2 ;;
        *) die "unknown command '$1' (see --help)" ;;
    esac
}
