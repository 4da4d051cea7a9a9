#!/usr/bin/env bash
# Local Alertmanager for Mediawatch: Debian's prometheus-alertmanager package, run as a
# process of the stack (not the package's own service), clustering off.
#
# Usage: infra/stack/alertmanager.sh up | down | status [--no-header] | ensure | reload
#   ensure  if the alertmanager binary or amtool is missing: install Debian's
#           prometheus-alertmanager package when we are root and apt-get exists
#           (MEDIAWATCH_NO_INSTALL=1 turns that off), otherwise fail saying how to install it
#   up      ensure, copy infra/alertmanager/alertmanager.yml (checked with amtool) to the
#           stack dir and start Alertmanager on 127.0.0.1:${MEDIAWATCH_ALERTMANAGER_PORT:-9093};
#           when it already runs, the configuration is copied again and reloaded
#   reload  copy and check the configuration again, then reload the running server
#   down    stop it (SIGTERM, SIGKILL after 30 s)
#   status  state, address, version (exit 0 if ready, 3 if not)
#
# Files: $STACK_DIR/alertmanager/alertmanager.yml, data/ (silences, notification log),
# alertmanager.log, alertmanager.pid.

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mw_set_tag alertmanager

AM_PORT="${MEDIAWATCH_ALERTMANAGER_PORT:-9093}"
AM_DIR="$STACK_DIR/alertmanager"
CONF_SRC="$INFRA_DIR/alertmanager/alertmanager.yml"
CONF="$AM_DIR/alertmanager.yml"
DATA_DIR="$AM_DIR/data"
LOG_FILE="$AM_DIR/alertmanager.log"
PID_FILE="$AM_DIR/alertmanager.pid"
MARKER="--storage.path=$DATA_DIR"
START_TIMEOUT=60

usage() {
    sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# Debian names the binary prometheus-alertmanager; upstream releases name it alertmanager.
am_bin() {
    command -v prometheus-alertmanager 2>/dev/null || command -v alertmanager 2>/dev/null
}

have_both() { am_bin >/dev/null && command -v amtool >/dev/null 2>&1; }

version() { # "0.25.0" from "alertmanager, version 0.25.0 (branch: ...)"
    local out
    out="$("$(am_bin)" --version 2>&1 || true)"
    out="${out%%$'\n'*}"
    out="${out#*version }"
    out="${out%% *}"
    printf '%s\n' "${out%%+*}"
}

# The package's own service would take port 9093 on every address: keep it stopped and
# disabled.
disable_package_service() {
    if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
        systemctl disable --now prometheus-alertmanager.service >/dev/null 2>&1 || true
    elif [[ -x /etc/init.d/prometheus-alertmanager ]]; then
        /etc/init.d/prometheus-alertmanager stop >/dev/null 2>&1 || true
        update-rc.d prometheus-alertmanager disable >/dev/null 2>&1 || true
    fi
}

cmd_ensure() {
    have_both && return 0
    local how="install it: Debian/Ubuntu 'sudo apt-get install -y prometheus-alertmanager', or put alertmanager and amtool (https://prometheus.io/download/) on PATH"
    if [[ "${MEDIAWATCH_NO_INSTALL:-0}" == 1 ]]; then
        die "alertmanager/amtool not found (MEDIAWATCH_NO_INSTALL=1, so not installing); $how"
    fi
    if ! mw_is_root || ! command -v apt-get >/dev/null 2>&1; then
        die "alertmanager/amtool not found; $how"
    fi
    mw_lock apt
    have_both && return 0 # installed while we waited for the lock
    mkdir -p "$STACK_DIR"
    local alog="$STACK_DIR/apt-alertmanager.log" t0
    t0=$(mw_now)
    log "alertmanager/amtool not found; installing Debian's prometheus-alertmanager package (log: $alog)"
    if ! { apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            -o Dpkg::Options::=--force-confold prometheus-alertmanager; } >"$alog" 2>&1; then
        mw_tail_log "$alog" 20
        die "apt-get install prometheus-alertmanager failed; $how"
    fi
    disable_package_service
    hash -r
    have_both || die "prometheus-alertmanager installed but alertmanager/amtool still not on PATH"
    log "installed Alertmanager $(version) in $(($(mw_now) - t0))s"
}

# Copy the configuration into the stack dir and check it, so the running server never
# reads a half-edited checkout. Fails (status 1) when the copy is the same as before.
install_config() {
    [[ -f "$CONF_SRC" ]] || die "no $CONF_SRC"
    local staged="$CONF.new" out
    cp "$CONF_SRC" "$staged"
    if ! out="$(amtool check-config "$staged" 2>&1)"; then
        rm -f "$staged"
        printf '%s\n' "$out" >&2
        die "amtool check-config failed on $CONF_SRC"
    fi
    if [[ -f "$CONF" ]] && cmp -s "$staged" "$CONF"; then
        rm -f "$staged"
        return 1
    fi
    mv -f "$staged" "$CONF"
}

server_pid() { mw_pidfile_read "$PID_FILE" "$MARKER"; }

# An HTTP GET on the server; prints the body, fails unless the status is 200.
http_get() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$AM_PORT" || exit 1
        printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3
        IFS= read -r -t 5 line <&3 || exit 1
        [[ "$line" == *" 200 "* ]] || exit 1
        timeout 10 cat <&3
    ) 2>/dev/null
}

ready() { http_get /-/ready >/dev/null; }

start_server() {
    if mw_port_open "$AM_PORT"; then
        local owner
        owner="$(mw_port_owner "$AM_PORT")"
        die "port $AM_PORT is already in use${owner:+ by $owner}; stop it or set MEDIAWATCH_ALERTMANAGER_PORT"
    fi
    mkdir -p "$DATA_DIR"
    # An empty cluster address turns clustering (gossip on 9094) off: one instance.
    local -a cmd=(
        "$(am_bin)"
        "--config.file=$CONF"
        "$MARKER"
        "--web.listen-address=127.0.0.1:$AM_PORT"
        --cluster.listen-address=
        --log.level=warn
    )
    printf '\n==== %s starting Alertmanager %s ====\n' "$(date -Is)" "$(version)" >>"$LOG_FILE"
    rm -f "$PID_FILE"
    (
        mw_close_lock_fds
        cd "$AM_DIR"
        # shellcheck disable=SC2016
        exec nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" "${cmd[@]}" \
            </dev/null >>"$LOG_FILE" 2>&1
    ) &
    local deadline
    deadline=$(($(mw_now) + START_TIMEOUT))
    until ready; do
        if [[ -s "$PID_FILE" ]] && ! server_pid >/dev/null; then
            mw_tail_log "$LOG_FILE" 30
            die "Alertmanager exited during start-up (log: $LOG_FILE)"
        fi
        if (($(mw_now) >= deadline)); then
            mw_tail_log "$LOG_FILE" 30
            die "Alertmanager not ready on 127.0.0.1:$AM_PORT within ${START_TIMEOUT}s"
        fi
        sleep 0.3
    done
    log "up on 127.0.0.1:$AM_PORT (Alertmanager $(version), pid $(cat "$PID_FILE"), log $LOG_FILE)"
}

reload_server() {
    local pid="$1" changed="$2"
    if ((changed)); then
        kill -HUP "$pid"
        log "running on 127.0.0.1:$AM_PORT (pid $pid); configuration reloaded"
    else
        log "already running on 127.0.0.1:$AM_PORT (pid $pid)"
    fi
}

cmd_up() {
    (($# == 0)) || { [[ "$1" == -h || "$1" == --help ]] && { usage; exit 0; }; die "unexpected argument: $1"; }
    [[ "$AM_PORT" =~ ^[0-9]+$ ]] || die "MEDIAWATCH_ALERTMANAGER_PORT must be a number"
    cmd_ensure
    mw_lock alertmanager
    mkdir -p "$AM_DIR"
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
    have_both || die "alertmanager/amtool not found: run infra/stack/alertmanager.sh ensure"
    mw_lock alertmanager
    mkdir -p "$AM_DIR"
    local pid changed=1
    install_config || changed=0
    pid="$(server_pid)" || die "Alertmanager is not running (start it: infra/stack/alertmanager.sh up)"
    reload_server "$pid" "$changed"
}

cmd_down() {
    (($# == 0)) || { [[ "$1" == -h || "$1" == --help ]] && { usage; exit 0; }; die "unexpected argument: $1"; }
    mw_lock alertmanager
    local -a pids=()
    local pid
    if pid="$(server_pid)"; then pids+=("$pid"); fi
    while read -r pid; do
        [[ -n "$pid" && " ${pids[*]} " != *" $pid "* ]] && pids+=("$pid")
    done < <(mw_pids_matching "$MARKER")
    if ((${#pids[@]} == 0)); then
        log "not running"
        return 0
    fi
    mw_terminate 30 "${pids[@]}" || die "could not stop Alertmanager (pid ${pids[*]})"
    rm -f "$PID_FILE"
    log "stopped"
}

cmd_status() {
    local header=1
    [[ "${1:-}" == --no-header ]] && header=0
    ((header)) && mw_status_row PART STATE ADDRESS VERSION
    if ! have_both; then
        mw_status_row alertmanager missing "127.0.0.1:$AM_PORT" "run: infra/stack/alertmanager.sh ensure"
        return 3
    fi
    if ! server_pid >/dev/null; then
        mw_status_row alertmanager down "127.0.0.1:$AM_PORT" "alertmanager $(version)"
        return 3
    fi
    if ! ready; then
        mw_status_row alertmanager starting "127.0.0.1:$AM_PORT" "alertmanager $(version)"
        return 3
    fi
    mw_status_row alertmanager up "127.0.0.1:$AM_PORT" "alertmanager $(version)"
}

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
