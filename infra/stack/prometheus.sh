#!/usr/bin/env bash
# Local Prometheus for Mediawatch: Debian's prometheus package, run as a process of
# the stack (not the package's own service), scraping every Mediawatch service.
#
# Usage: infra/stack/prometheus.sh up | down | status [--no-header] | ensure | reload | targets
#   ensure  if prometheus or promtool is missing: install Debian's prometheus package when
#           we are root and apt-get exists (MEDIAWATCH_NO_INSTALL=1 turns that off),
#           otherwise fail saying how to install it
#   up      ensure, copy infra/prometheus/ (checked with promtool) to the stack dir and
#           start Prometheus on 127.0.0.1:${MEDIAWATCH_PROMETHEUS_PORT:-9090}; when it
#           already runs, the configuration is copied again and reloaded
#   reload  copy and check the configuration again, then reload the running server
#   down    stop it (SIGTERM, SIGKILL after 30 s)
#   status  state, address, version (exit 0 if ready, 3 if not)
#   targets print the directory where more processes to scrape are registered: each
#           *.json file there is a file_sd list of targets (write it elsewhere, then mv)
#
# Files: $STACK_DIR/prometheus/config/ (prometheus.yml, rules/), data/ (the TSDB),
# targets/ (more processes to scrape, file_sd JSON), prometheus.log, prometheus.pid.

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mw_set_tag prometheus

PROM_PORT="${MEDIAWATCH_PROMETHEUS_PORT:-9090}"
PROM_DIR="$STACK_DIR/prometheus"
CONF_SRC="$INFRA_DIR/prometheus"
CONF_DIR="$PROM_DIR/config"
DATA_DIR="$PROM_DIR/data"
LOG_FILE="$PROM_DIR/prometheus.log"
PID_FILE="$PROM_DIR/prometheus.pid"
TARGETS_DIR="$PROM_DIR/targets"
MARKER="--storage.tsdb.path=$DATA_DIR"
START_TIMEOUT=60

usage() {
    sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

have_both() { command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; }

version() { # "2.42.0" from "prometheus, version 2.42.0+ds (branch: ...)"
    local out
    out="$(prometheus --version 2>&1 || true)"
    out="${out%%$'\n'*}"
    out="${out#*version }"
    out="${out%% *}"
    printf '%s\n' "${out%%+*}"
}

# The package's own service would take port 9090: keep it stopped and disabled.
disable_package_service() {
    if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
        systemctl disable --now prometheus.service >/dev/null 2>&1 || true
    elif [[ -x /etc/init.d/prometheus ]]; then
        /etc/init.d/prometheus stop >/dev/null 2>&1 || true
    fi
}

cmd_ensure() {
    if have_both; then
        return 0
    fi
    local how="install it: Debian/Ubuntu 'sudo apt-get install -y prometheus', or put prometheus and promtool (https://prometheus.io/download/) on PATH"
    if [[ "${MEDIAWATCH_NO_INSTALL:-0}" == 1 ]]; then
        die "prometheus/promtool not found (MEDIAWATCH_NO_INSTALL=1, so not installing); $how"
    fi
    if ! mw_is_root || ! command -v apt-get >/dev/null 2>&1; then
        die "prometheus/promtool not found; $how"
    fi
    mw_lock apt
    have_both && return 0 # installed while we waited for the lock
    mkdir -p "$STACK_DIR"
    local alog="$STACK_DIR/apt-prometheus.log" t0
    t0=$(mw_now)
    log "prometheus/promtool not found; installing Debian's prometheus package (log: $alog)"
    if ! { apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            -o Dpkg::Options::=--force-confold prometheus; } >"$alog" 2>&1; then
        mw_tail_log "$alog" 20
        die "apt-get install prometheus failed; $how"
    fi
    disable_package_service
    hash -r
    have_both || die "prometheus package installed but prometheus/promtool still not on PATH"
    log "installed Prometheus $(version) in $(($(mw_now) - t0))s"
}

# Copy infra/prometheus/ into the stack dir and check it, so the running server never
# reads a half-edited checkout. Fails (status 1) when the copy is the same as before.
install_config() {
    [[ -f "$CONF_SRC/prometheus.yml" ]] || die "no $CONF_SRC/prometheus.yml"
    mkdir -p "$TARGETS_DIR"
    local staged="$PROM_DIR/config.new" out
    rm -rf "$staged"
    mkdir -p "$staged"
    cp "$CONF_SRC/prometheus.yml" "$staged/"
    cp -r "$CONF_SRC/rules" "$staged/"
    if ! out="$(promtool check config "$staged/prometheus.yml" 2>&1)"; then
        printf '%s\n' "$out" >&2
        die "promtool check config failed on $CONF_SRC/prometheus.yml"
    fi
    if [[ -d "$CONF_DIR" ]] && diff -r -q "$staged" "$CONF_DIR" >/dev/null 2>&1; then
        rm -rf "$staged"
        return 1
    fi
    rm -rf "$CONF_DIR"
    mv "$staged" "$CONF_DIR"
}

server_pid() { mw_pidfile_read "$PID_FILE" "$MARKER"; }

# An HTTP GET on the server; prints the body, fails unless the status is 200.
http_get() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$PROM_PORT" || exit 1
        printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3
        IFS= read -r -t 5 line <&3 || exit 1
        [[ "$line" == *" 200 "* ]] || exit 1
        timeout 10 cat <&3
    ) 2>/dev/null
}

ready() { http_get /-/ready >/dev/null; }

start_server() {
    if mw_port_open "$PROM_PORT"; then
        local owner
        owner="$(mw_port_owner "$PROM_PORT")"
        die "port $PROM_PORT is already in use${owner:+ by $owner}; stop it or set MEDIAWATCH_PROMETHEUS_PORT"
    fi
    mkdir -p "$DATA_DIR"
    local -a cmd=(
        prometheus
        "--config.file=$CONF_DIR/prometheus.yml"
        "$MARKER"
        --storage.tsdb.retention.time=7d
        "--web.listen-address=127.0.0.1:$PROM_PORT"
        --web.enable-lifecycle
        --log.level=warn
    )
    printf '\n==== %s starting Prometheus %s ====\n' "$(date -Is)" "$(version)" >>"$LOG_FILE"
    rm -f "$PID_FILE"
    (
        mw_close_lock_fds
        cd "$PROM_DIR"
        # shellcheck disable=SC2016
        exec nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" "${cmd[@]}" \
            </dev/null >>"$LOG_FILE" 2>&1
    ) &
    local deadline
    deadline=$(($(mw_now) + START_TIMEOUT))
    until ready; do
        if [[ -s "$PID_FILE" ]] && ! server_pid >/dev/null; then
            mw_tail_log "$LOG_FILE" 30
            die "Prometheus exited during start-up (log: $LOG_FILE)"
        fi
        if (($(mw_now) >= deadline)); then
            mw_tail_log "$LOG_FILE" 30
            die "Prometheus not ready on 127.0.0.1:$PROM_PORT within ${START_TIMEOUT}s"
        fi
        sleep 0.3
    done
    log "up on 127.0.0.1:$PROM_PORT (Prometheus $(version), pid $(cat "$PID_FILE"), log $LOG_FILE)"
}

reload_server() {
    local pid="$1" changed="$2"
    if ((changed)); then
        kill -HUP "$pid"
        log "running on 127.0.0.1:$PROM_PORT (pid $pid); configuration reloaded"
    else
        log "already running on 127.0.0.1:$PROM_PORT (pid $pid)"
    fi
}

cmd_up() {
    (($# == 0)) || { [[ "$1" == -h || "$1" == --help ]] && { usage; exit 0; }; die "unexpected argument: $1"; }
    [[ "$PROM_PORT" =~ ^[0-9]+$ ]] || die "MEDIAWATCH_PROMETHEUS_PORT must be a number"
    cmd_ensure
    mw_lock prometheus
    mkdir -p "$PROM_DIR"
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
    have_both || die "prometheus/promtool not found: run infra/stack/prometheus.sh ensure"
    mw_lock prometheus
    mkdir -p "$PROM_DIR"
    local pid changed=1
    install_config || changed=0
    pid="$(server_pid)" || die "Prometheus is not running (start it: infra/stack/prometheus.sh up)"
    reload_server "$pid" "$changed"
}

cmd_down() {
    (($# == 0)) || { [[ "$1" == -h || "$1" == --help ]] && { usage; exit 0; }; die "unexpected argument: $1"; }
    mw_lock prometheus
    local -a pids=()
    local pid
    if pid="$(server_pid)"; then pids+=("$pid"); fi
    while read -r pid; do
        [[ -n "$pid" && " ${pids[*]} " != *" $pid "* ]] && pids+=("$pid")
    done < <(mw_pids_matching "$MARKER" prometheus)
    if ((${#pids[@]} == 0)); then
        log "not running"
        return 0
    fi
    mw_terminate 30 "${pids[@]}" || die "could not stop Prometheus (pid ${pids[*]})"
    rm -f "$PID_FILE"
    log "stopped"
}

cmd_status() {
    local header=1
    [[ "${1:-}" == --no-header ]] && header=0
    ((header)) && mw_status_row PART STATE ADDRESS VERSION
    if ! have_both; then
        mw_status_row prometheus missing "127.0.0.1:$PROM_PORT" "run: infra/stack/prometheus.sh ensure"
        return 3
    fi
    if ! server_pid >/dev/null; then
        mw_status_row prometheus down "127.0.0.1:$PROM_PORT" "prometheus $(version)"
        return 3
    fi
    if ! ready; then
        mw_status_row prometheus starting "127.0.0.1:$PROM_PORT" "prometheus $(version)"
        return 3
    fi
    mw_status_row prometheus up "127.0.0.1:$PROM_PORT" "prometheus $(version)"
}

case "${1:-}" in
    ensure) shift; cmd_ensure "$@" ;;
    up) shift; cmd_up "$@" ;;
    reload) shift; cmd_reload "$@" ;;
    down) shift; cmd_down "$@" ;;
    status) shift; cmd_status "$@" ;;
    targets) mkdir -p "$TARGETS_DIR"; printf '%s\n' "$TARGETS_DIR" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) die "unknown command '$1' (see --help)" ;;
esac
