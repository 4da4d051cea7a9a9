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
HERE="$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"
# shellcheck source-path=SCRIPTDIR source=daemon.sh
source "$HERE/daemon.sh"
mw_set_tag alertmanager

D_TITLE=Alertmanager D_PART=alertmanager D_PACKAGE=prometheus-alertmanager
D_TOOLS=alertmanager/amtool
D_PORT="${MEDIAWATCH_ALERTMANAGER_PORT:-9093}" D_PORT_VAR=MEDIAWATCH_ALERTMANAGER_PORT
D_DIR="$STACK_DIR/alertmanager"
CONF_SRC="$INFRA_DIR/alertmanager/alertmanager.yml"
CONF="$D_DIR/alertmanager.yml"
DATA_DIR="$D_DIR/data"
D_LOG_FILE="$D_DIR/alertmanager.log"
D_PID_FILE="$D_DIR/alertmanager.pid"
D_MARKER="--storage.path=$DATA_DIR"

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

server_command() {
    mkdir -p "$DATA_DIR"
    # An empty cluster address turns clustering (gossip on 9094) off: one instance.
    D_CMD=(
        "$(am_bin)"
        "--config.file=$CONF"
        "$D_MARKER"
        "--web.listen-address=127.0.0.1:$D_PORT"
        --cluster.listen-address=
        --log.level=warn
    )
}

daemon_main "$@"
