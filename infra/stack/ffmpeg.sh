#!/usr/bin/env bash
# Make sure ffmpeg and ffprobe are available (Mediawatch probes/transcodes
# media with them).
#
# Usage: infra/stack/ffmpeg.sh ensure|status [--no-header]
#   ensure  if ffmpeg or ffprobe is missing: install Debian's ffmpeg package
#           when we are root and apt-get exists (MEDIAWATCH_NO_INSTALL=1 turns
#           that off), otherwise fail saying how to install it
#   status  versions of ffmpeg and ffprobe (exit 0 if both present, 3 if not)

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mw_set_tag ffmpeg

usage() {
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

tool_version() { # "5.1.6-0+deb12u1" from "ffmpeg version 5.1.6-0+deb12u1 Copyright ..."
    local out
    out="$("$1" -hide_banner -version 2>/dev/null || true)"
    out="${out%%$'\n'*}"
    out="${out#* version }"
    printf '%s\n' "${out%% *}"
}

have_both() { command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; }

cmd_ensure() {
    if have_both; then
        log "ffmpeg $(tool_version ffmpeg), ffprobe $(tool_version ffprobe) present"
        return 0
    fi
    local how="install it: Debian/Ubuntu 'sudo apt-get install -y ffmpeg', Fedora 'sudo dnf install ffmpeg', macOS 'brew install ffmpeg'"
    if [[ "${MEDIAWATCH_NO_INSTALL:-0}" == 1 ]]; then
        die "ffmpeg/ffprobe not found (MEDIAWATCH_NO_INSTALL=1, so not installing); $how"
    fi
    if ! mw_is_root || ! command -v apt-get >/dev/null 2>&1; then
        die "ffmpeg/ffprobe not found; $how"
    fi
    mw_lock apt
    have_both && return 0 # installed while we waited for the lock
    mkdir -p "$STACK_DIR"
    local alog="$STACK_DIR/apt-ffmpeg.log" t0
    t0=$(mw_now)
    log "ffmpeg/ffprobe not found; installing Debian's ffmpeg package (log: $alog)"
    if ! { apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg; } >"$alog" 2>&1; then
        mw_tail_log "$alog" 20
        die "apt-get install ffmpeg failed; $how"
    fi
    hash -r
    have_both || die "ffmpeg package installed but ffmpeg/ffprobe still not on PATH"
    log "installed ffmpeg $(tool_version ffmpeg) in $(($(mw_now) - t0))s"
}

cmd_status() {
    local header=1 rc=0 t path
    [[ "${1:-}" == --no-header ]] && header=0
    ((header)) && mw_status_row PART STATE ADDRESS VERSION
    for t in ffmpeg ffprobe; do
        if path="$(command -v "$t" 2>/dev/null)"; then
            mw_status_row "$t" up "$path" "$t $(tool_version "$t")"
        else
            mw_status_row "$t" missing "-" "run: infra/stack/ffmpeg.sh ensure"
            rc=3
        fi
    done
    return "$rc"
}

case "${1:-}" in
    ensure) shift; cmd_ensure "$@" ;;
    status) shift; cmd_status "$@" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) die "unknown command '$1' (see --help)" ;;
esac
