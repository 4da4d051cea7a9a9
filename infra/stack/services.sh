#!/usr/bin/env bash
# Mediawatch services as background processes of the local stack (used by `make demo`).
#
# Usage: infra/stack/services.sh up NAME... | down [NAME...] | status
#   up      start `mediawatch run NAME` for each NAME (transcoder, aggregator, alerter,
#           notifier, projector, api, ...) in the background; harmless when already running.
#           Each inherits the caller's environment; DATABASE_URL defaults to the local cluster.
#   down    stop the named services (all when none is named): SIGTERM, SIGKILL after 20 s.
#   status  one row per known service: state, pid, log file.
# Files: $STACK_DIR/services/NAME.pid and NAME.log.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mw_set_tag services

DIR="$STACK_DIR/services"
MEDIAWATCH="$REPO_ROOT/.venv/bin/mediawatch"

marker() { printf 'mediawatch run %s' "$1"; }

start_one() {
    local name="$1" pid
    if pid="$(mw_pidfile_read "$DIR/$name.pid" "$(marker "$name")")"; then
        log "$name already running (pid $pid)"
        return 0
    fi
    [[ -x "$MEDIAWATCH" ]] || die "$MEDIAWATCH not found: run 'make install' first"
    (
        mw_close_lock_fds
        cd "$REPO_ROOT"
        exec setsid nohup "$MEDIAWATCH" run "$name" >>"$DIR/$name.log" 2>&1 </dev/null
    ) &
    echo $! >"$DIR/$name.pid"
    sleep 1
    if ! mw_pidfile_read "$DIR/$name.pid" "$(marker "$name")" >/dev/null; then
        mw_tail_log "$DIR/$name.log" 30
        die "$name exited at start"
    fi
    log "$name started (pid $(cat "$DIR/$name.pid"), log $DIR/$name.log)"
}

stop_one() {
    local name="$1" pid
    local -a pids=()
    if pid="$(mw_pidfile_read "$DIR/$name.pid" "$(marker "$name")")"; then pids+=("$pid"); fi
    while read -r pid; do [[ -n "$pid" ]] && pids+=("$pid"); done \
        < <(mw_pids_matching "$MEDIAWATCH run $name")
    if ((${#pids[@]})); then
        mw_terminate 20 "${pids[@]}" || true
        log "$name stopped"
    fi
    rm -f "$DIR/$name.pid"
}

known() {
    local f
    for f in "$DIR"/*.pid "$DIR"/*.log; do
        [[ -e "$f" ]] || continue
        f="${f##*/}"
        printf '%s\n' "${f%.*}"
    done | sort -u
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
mkdir -p "$DIR"
case "$cmd" in
    up)
        (($#)) || die "name the services to start, e.g. up projector api"
        mw_lock services
        if [[ -z "${DATABASE_URL:-}" ]]; then
            DATABASE_URL="$(bash "$MW_STACK_LIB_DIR/postgres.sh" url)"
            export DATABASE_URL
        fi
        for name in "$@"; do start_one "$name"; done
        ;;
    down)
        mw_lock services
        if (($#)); then names=("$@"); else mapfile -t names < <(known); fi
        for name in "${names[@]}"; do stop_one "$name"; done
        ;;
    status)
        mw_status_row PART STATE PID LOG
        while read -r name; do
            [[ -n "$name" ]] || continue
            if pid="$(mw_pidfile_read "$DIR/$name.pid" "$(marker "$name")")"; then
                mw_status_row "service/$name" up "$pid" "$DIR/$name.log"
            else
                mw_status_row "service/$name" down "-" "$DIR/$name.log"
            fi
        done < <(known)
        ;;
    -h|--help|"")
        sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
        ;;
    *) die "unknown command: $cmd (try --help)" ;;
esac
