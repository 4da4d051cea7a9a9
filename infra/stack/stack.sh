#!/usr/bin/env bash
# The whole local Mediawatch stack without Docker: ffmpeg, Kafka (KRaft,
# cluster "default" on 127.0.0.1:9092), PostgreSQL (127.0.0.1:55432, or
# DATABASE_URL), Prometheus (127.0.0.1:9090) and Alertmanager (127.0.0.1:9093).
#
# Usage: infra/stack/stack.sh up [--brokers N] [--secure] | down | status
#   up       ffmpeg ensure, kafka up (cluster "default"; --secure: with a SASL_SSL
#            listener on 127.0.0.1:9142, see `kafka.sh client-env`), postgres up,
#            prometheus up, alertmanager up
#   down     services down (those infra/stack/services.sh started), kafka down --all,
#            postgres down, prometheus down, alertmanager down
#   status   table of part, state, address, version; exit 0 if all up, 3 if not
#
# The parts can be driven one by one with
# infra/stack/{ffmpeg,kafka,postgres,prometheus,alertmanager}.sh.

set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"
mw_set_tag stack

usage() {
    sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

cmd_up() {
    local -a kafka_args=()
    while (($#)); do
        case "$1" in
            --brokers) (($# >= 2)) || die "--brokers needs a value"; kafka_args+=(--brokers "$2"); shift ;;
            --brokers=*) kafka_args+=(--brokers "${1#*=}") ;;
            --secure) kafka_args+=(--secure) ;;
            -h | --help) usage; exit 0 ;;
            *) die "unexpected argument: $1 (see --help)" ;;
        esac
        shift
    done
    local t0
    t0=$(mw_now)
    bash "$HERE/ffmpeg.sh" ensure
    bash "$HERE/kafka.sh" up --cluster default "${kafka_args[@]}" >/dev/null
    bash "$HERE/postgres.sh" up
    bash "$HERE/prometheus.sh" up
    bash "$HERE/alertmanager.sh" up
    log "stack up in $(($(mw_now) - t0))s"
    cmd_status
}

cmd_down() {
    (($# == 0)) || { [[ "$1" == -h || "$1" == --help ]] && { usage; exit 0; }; die "unexpected argument: $1"; }
    local rc=0
    bash "$HERE/services.sh" down || rc=1
    bash "$HERE/kafka.sh" down --all || rc=1
    bash "$HERE/postgres.sh" down || rc=1
    bash "$HERE/prometheus.sh" down || rc=1
    bash "$HERE/alertmanager.sh" down || rc=1
    return "$rc"
}

cmd_status() {
    (($# == 0)) || { [[ "$1" == -h || "$1" == --help ]] && { usage; exit 0; }; die "unexpected argument: $1"; }
    local rc=0
    mw_status_row PART STATE ADDRESS VERSION
    bash "$HERE/ffmpeg.sh" status --no-header || rc=3
    bash "$HERE/kafka.sh" status --cluster default --no-header || rc=3
    bash "$HERE/postgres.sh" status --no-header || rc=3
    bash "$HERE/prometheus.sh" status --no-header || rc=3
    bash "$HERE/alertmanager.sh" status --no-header || rc=3
    return "$rc"
}

case "${1:-}" in
    up) shift; cmd_up "$@" ;;
    down) shift; cmd_down "$@" ;;
    status) shift; cmd_status "$@" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) die "unknown command '$1' (see --help)" ;;
esac
