#!/usr/bin/env bash
# Local Prometheus for Mediawatch: Debian's prometheus package, run as a process of
# the stack (not the package's own service), scraping every Mediawatch service.
#
# Usage: infra/stack/prometheus.sh up | down | status [--no-header] | ensure | reload | targets
#   ensure  if prometheus or promtool is missing: install Debian's prometheus package when
#           we are root and apt-get exists (MEDIAWATCH_NO_INSTALL=1 turns that off),
#           otherwise fail saying how to install it
#   up      ensure, copy infra/prometheus/prometheus.yml to the stack dir with the rule
#           files rendered for this environment (`mediawatch prometheus rules`: the
#           MONITORING_* thresholds in force), check both with promtool and start
#           Prometheus on 127.0.0.1:${MEDIAWATCH_PROMETHEUS_PORT:-9090}; when it already
#           runs, the configuration is made again and reloaded if it changed
#   reload  make and check the configuration again, then reload the running server
#   down    stop it (SIGTERM, SIGKILL after 30 s)
#   status  state, address, version (exit 0 if ready, 3 if not)
#   targets print the directory where more processes to scrape are registered: each
#           *.json file there is a file_sd list of targets (write it elsewhere, then mv)
#
# Files: $STACK_DIR/prometheus/config/ (prometheus.yml, rules/), data/ (the TSDB),
# targets/ (more processes to scrape, file_sd JSON), prometheus.log, prometheus.pid.

set -euo pipefail
HERE="$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"
# shellcheck source-path=SCRIPTDIR source=daemon.sh
source "$HERE/daemon.sh"
mw_set_tag prometheus

D_TITLE=Prometheus D_PART=prometheus D_PACKAGE=prometheus D_TOOLS=prometheus/promtool
D_COMM=prometheus
D_PORT="${MEDIAWATCH_PROMETHEUS_PORT:-9090}" D_PORT_VAR=MEDIAWATCH_PROMETHEUS_PORT
D_DIR="$STACK_DIR/prometheus"
CONF_SRC="$INFRA_DIR/prometheus"
CONF_DIR="$D_DIR/config"
DATA_DIR="$D_DIR/data"
D_LOG_FILE="$D_DIR/prometheus.log"
D_PID_FILE="$D_DIR/prometheus.pid"
TARGETS_DIR="$D_DIR/targets"
D_MARKER="--storage.tsdb.path=$DATA_DIR"
MEDIAWATCH="$REPO_ROOT/.venv/bin/mediawatch"
# The variables the thresholds of the rendered rules come from.
THRESHOLD_VARS='^(MONITORING_[A-Z_]+|HEALTH_CHECK_CONSUMER_LAG_THRESHOLD|ALERTER_MIN_WINDOW_ATTEMPTS|ALERTER_RESOURCE_FOR_SECONDS)$'

usage() {
    sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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

# The rule files in $1/rules, rendered with the thresholds of this environment. Without
# the command (no `make install` yet, or a .venv made before it existed), the checked-in
# ones, which are the rendering of the defaults, unless a variable they depend on is set.
stage_rules() {
    local staged="$1" out set
    if [[ -x "$MEDIAWATCH" ]]; then
        if out="$(cd "$REPO_ROOT" && "$MEDIAWATCH" prometheus rules --output "$staged" 2>&1)"; then
            rm -rf "$staged/node-exporter" # not loaded: the health reporters' host rules are
            return 0
        fi
        if [[ "$out" != *"No such command 'prometheus'"* ]]; then
            printf '%s\n' "$out" >&2
            die "could not render the rules: $MEDIAWATCH prometheus rules failed"
        fi
    fi
    set="$(compgen -e | grep -E "$THRESHOLD_VARS" | paste -sd ' ' -)" || true
    [[ -z "$set" ]] || die "$set set, but $MEDIAWATCH cannot render the rules: run 'make install'"
    log "using the checked-in rules (the defaults): run 'make install' to render them"
    cp -r "$CONF_SRC/rules" "$staged/"
}

# Make the configuration in the stack dir and check it, so the running server never reads
# a half-edited checkout. Fails (status 1) when it is the same as before.
install_config() {
    [[ -f "$CONF_SRC/prometheus.yml" ]] || die "no $CONF_SRC/prometheus.yml"
    mkdir -p "$TARGETS_DIR"
    local staged="$D_DIR/config.new" out
    rm -rf "$staged"
    mkdir -p "$staged"
    cp "$CONF_SRC/prometheus.yml" "$staged/"
    stage_rules "$staged"
    if ! out="$(promtool check config "$staged/prometheus.yml" 2>&1)"; then
        printf '%s\n' "$out" >&2
        die "promtool check config failed on $CONF_SRC/prometheus.yml"
    fi
    if ! out="$(promtool check rules "$staged"/rules/*.yml 2>&1)"; then
        printf '%s\n' "$out" >&2
        die "promtool check rules failed on the rules rendered in $staged/rules"
    fi
    if [[ -d "$CONF_DIR" ]] && diff -r -q "$staged" "$CONF_DIR" >/dev/null 2>&1; then
        rm -rf "$staged"
        return 1
    fi
    rm -rf "$CONF_DIR"
    mv "$staged" "$CONF_DIR"
}

server_command() {
    mkdir -p "$DATA_DIR"
    D_CMD=(
        prometheus
        "--config.file=$CONF_DIR/prometheus.yml"
        "$D_MARKER"
        --storage.tsdb.retention.time=7d
        "--web.listen-address=127.0.0.1:$D_PORT"
        --web.enable-lifecycle
        --log.level=warn
    )
}

case "${1:-}" in
    targets) mkdir -p "$TARGETS_DIR"; printf '%s\n' "$TARGETS_DIR" ;;
    *) daemon_main "$@" ;;
esac
