#!/usr/bin/env bash
# Local PostgreSQL for Mediawatch (no Docker): a project-owned cluster under
# the stack dir, or an external server named by DATABASE_URL.
#
# Usage: infra/stack/postgres.sh COMMAND     (--help for details)
#
# Layout ($STACK_DIR/postgres, root-only files are mode 600):
#   password       superuser ("postgres") password
#   database_url   postgresql://mediawatch:<pw>@127.0.0.1:<port>/mediawatch
#   server_dir     where data/ run/ log/ live (normally this same directory;
#                  elsewhere if the postgres OS user cannot reach it)
#   data/          the cluster (owned by the postgres OS user)
#   run/           unix socket directory
#   log/postgres.log
#
# The server listens on 127.0.0.1:${MEDIAWATCH_PG_PORT:-55432} only. Local
# (socket) logins use peer auth, TCP logins scram-sha-256.

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mw_set_tag postgres

PG_PORT="${MEDIAWATCH_PG_PORT:-55432}"
PG_ROOT="$STACK_DIR/postgres"
PG_DB=mediawatch
PG_APP_ROLE=mediawatch

usage() {
    cat <<EOF
Usage: infra/stack/postgres.sh COMMAND

Commands:
  up            start the project's PostgreSQL (initdb on first run) and make sure
                role/database "$PG_APP_ROLE" exist; with DATABASE_URL set, only check
                that the external server answers
  down          stop the project's server (fast, then immediate)
  status [--no-header]
                state, address, server version (exit 0 if up, 3 if not)
  url           print the database URL (DATABASE_URL if set, else the project's)
  stop-server [--mode fast|immediate|kill]
                stop the server for fault tests (kill = SIGKILL the postmaster)
  start-server  same as up

Environment: DATABASE_URL (use an external server), MEDIAWATCH_PG_PORT
(default 55432), MEDIAWATCH_STACK_DIR, MEDIAWATCH_PG_BIN (PostgreSQL bin dir).
EOF
}

# ---------------------------------------------------------------- binaries / user
PG_BIN=""
find_pg_bin() {
    local d
    if [[ -n "${MEDIAWATCH_PG_BIN:-}" ]]; then
        [[ -x "$MEDIAWATCH_PG_BIN/pg_ctl" ]] || die "MEDIAWATCH_PG_BIN=$MEDIAWATCH_PG_BIN has no pg_ctl"
        PG_BIN="$MEDIAWATCH_PG_BIN"
        return 0
    fi
    # Debian layout: the newest /usr/lib/postgresql/<ver>/bin with a server.
    d="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n1 || true)"
    if [[ -n "$d" && -x "$d/pg_ctl" && -x "$d/initdb" ]]; then
        PG_BIN="$d"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        d="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -n "$d" && -x "$d/pg_ctl" ]]; then PG_BIN="$d"; return 0; fi
    fi
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        PG_BIN="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
        return 0
    fi
    return 1
}

install_postgres() {
    if mw_is_root && command -v apt-get >/dev/null 2>&1; then
        log "PostgreSQL server binaries not found; installing Debian's postgresql package (no default cluster)"
        # Keep the package from creating and starting its own cluster on 5432.
        mkdir -p /etc/postgresql-common
        if ! grep -qs '^[[:space:]]*create_main_cluster[[:space:]]*=[[:space:]]*false' /etc/postgresql-common/createcluster.conf; then
            echo "create_main_cluster = false" >>/etc/postgresql-common/createcluster.conf
        fi
        local alog="$STACK_DIR/apt-postgres.log"
        mkdir -p "$STACK_DIR"
        if ! { apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                -o Dpkg::Options::=--force-confold postgresql postgresql-client; } >"$alog" 2>&1; then
            mw_tail_log "$alog" 20
            die "apt-get install postgresql failed (see $alog)"
        fi
    else
        die "PostgreSQL server binaries (initdb, pg_ctl) not found: install them (Debian: apt-get install postgresql) or set MEDIAWATCH_PG_BIN, or point DATABASE_URL at a running server"
    fi
}

ensure_pg_bin() {
    find_pg_bin && return 0
    install_postgres
    find_pg_bin || die "PostgreSQL binaries still not found after installing"
}

# The OS user that owns and runs the cluster: "postgres" when we are root
# (the server refuses to run as root), else the current user.
PG_OS_USER=""
if mw_is_root; then PG_OS_USER=postgres; else PG_OS_USER="$(id -un)"; fi

ensure_pg_user() {
    mw_is_root || return 0
    id -u postgres >/dev/null 2>&1 && return 0
    ensure_pg_bin # the Debian package creates the user
    id -u postgres >/dev/null 2>&1 ||
        die "OS user 'postgres' is missing (create it: useradd --system --home /var/lib/postgresql postgres)"
}

# Run a command as the cluster's OS user, from / (root's cwd is not readable
# by postgres).
as_pg() {
    if mw_is_root; then
        (cd / && runuser -u "$PG_OS_USER" -- "$@")
    else
        (cd / && "$@")
    fi
}

pg_chown() {
    mw_is_root && chown "$PG_OS_USER:" "$@"
    return 0
}

# ---------------------------------------------------------------- paths
SERVER_DIR="" DATA_DIR="" SOCK_DIR="" LOG_FILE=""

# Decide where data/ run/ log/ live (recorded in $PG_ROOT/server_dir).
resolve_paths() {
    mkdir -p "$PG_ROOT"
    chmod 755 "$PG_ROOT"
    if [[ -s "$PG_ROOT/server_dir" ]]; then
        SERVER_DIR="$(cat "$PG_ROOT/server_dir")"
    else
        SERVER_DIR="$PG_ROOT"
    fi
    set_paths
}

set_paths() {
    DATA_DIR="$SERVER_DIR/data"
    LOG_FILE="$SERVER_DIR/log/postgres.log"
    SOCK_DIR="$SERVER_DIR/run"
    # Unix socket paths are limited to ~107 bytes.
    if ((${#SOCK_DIR} + 20 > 100)); then
        SOCK_DIR="/tmp/mediawatch-pg-$(printf '%s' "$SERVER_DIR" | md5sum | cut -c1-10)"
    fi
}

# Make sure the postgres OS user can reach SERVER_DIR; if it cannot, use a
# directory it can and say so.
choose_server_dir() {
    mkdir -p "$SERVER_DIR"
    if mw_is_root && ! as_pg test -x "$SERVER_DIR" 2>/dev/null; then
        local fb
        fb="${MEDIAWATCH_PG_FALLBACK_DIR:-/var/tmp/mediawatch-pg-$(printf '%s' "$PG_ROOT" | md5sum | cut -c1-10)}"
        warn "user $PG_OS_USER cannot traverse $SERVER_DIR (a parent directory is not world-executable); keeping the cluster in $fb instead"
        mkdir -p "$fb"
        chmod 755 "$fb"
        as_pg test -x "$fb" || die "user $PG_OS_USER cannot reach $fb either; set MEDIAWATCH_PG_FALLBACK_DIR"
        SERVER_DIR="$fb"
        set_paths
    fi
    printf '%s\n' "$SERVER_DIR" >"$PG_ROOT/server_dir"
    mkdir -p "$DATA_DIR" "$SOCK_DIR" "$(dirname "$LOG_FILE")"
    pg_chown "$DATA_DIR" "$SOCK_DIR" "$(dirname "$LOG_FILE")"
    chmod 700 "$DATA_DIR"
    chmod 755 "$SOCK_DIR"
}

# ---------------------------------------------------------------- server state
# Pid of our running postmaster (from postmaster.pid, verified), else fail.
postmaster_pid() {
    local pid=""
    [[ -f "$DATA_DIR/postmaster.pid" ]] || return 1
    read -r pid <"$DATA_DIR/postmaster.pid" || true
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    mw_pid_alive "$pid" || return 1
    mw_pid_cmdline_has "$pid" "$DATA_DIR" || return 1
    printf '%s\n' "$pid"
}

# Port the running server was started with (line 4 of postmaster.pid).
running_port() {
    sed -n '4p' "$DATA_DIR/postmaster.pid" 2>/dev/null || true
}

# Leftover server processes (e.g. backends of a SIGKILLed postmaster): any
# process whose working directory is our data dir.
stray_pids() {
    local d pid cwd real_data
    real_data="$(readlink -f "$DATA_DIR" 2>/dev/null || printf '%s' "$DATA_DIR")"
    for d in /proc/[0-9]*; do
        pid="${d#/proc/}"
        cwd="$(readlink "$d/cwd" 2>/dev/null)" || continue
        [[ "$cwd" == "$real_data" ]] && printf '%s\n' "$pid"
    done
    return 0
}

kill_strays() {
    local -a pids=()
    mapfile -t pids < <(stray_pids)
    ((${#pids[@]})) || return 0
    log "stopping leftover server process(es) ${pids[*]}"
    mw_terminate 10 "${pids[@]}" || die "could not stop leftover postgres processes ${pids[*]}"
}

psql_local() { # run psql as the superuser over the unix socket
    as_pg "$PG_BIN/psql" -X -q -h "$SOCK_DIR" -p "$(running_port)" -d postgres -v ON_ERROR_STOP=1 "$@"
}

# ---------------------------------------------------------------- secrets / url
url_password() { # password part of our database_url file
    [[ -f "$PG_ROOT/database_url" ]] || return 0
    sed -n 's#^postgresql://[^:]*:\([^@]*\)@.*#\1#p' "$PG_ROOT/database_url" | head -n1
}

write_url() {
    local pw="$1"
    printf 'postgresql://%s:%s@127.0.0.1:%s/%s\n' "$PG_APP_ROLE" "$pw" "$PG_PORT" "$PG_DB" |
        mw_write_secret_file "$PG_ROOT/database_url"
}

# ---------------------------------------------------------------- initdb / config
write_server_conf() {
    local conf="$DATA_DIR/mediawatch.conf"
    cat >"$conf.tmp" <<EOF
# Written by infra/stack/postgres.sh on every 'up'; do not edit.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$SOCK_DIR'
password_encryption = 'scram-sha-256'
max_connections = 100
shared_buffers = 512MB
# The projector writes in large transactions: with the default 1GB, checkpoints were
# requested by WAL volume every few hundred thousand events, each followed by full-page writes.
max_wal_size = 4GB
checkpoint_timeout = 15min
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
log_timezone = 'UTC'
timezone = 'UTC'
EOF
    pg_chown "$conf.tmp"
    chmod 600 "$conf.tmp"
    mv -f "$conf.tmp" "$conf"
    if ! grep -q "^include_if_exists = 'mediawatch.conf'" "$DATA_DIR/postgresql.conf"; then
        printf "\n# Mediawatch local stack settings\ninclude_if_exists = 'mediawatch.conf'\n" >>"$DATA_DIR/postgresql.conf"
    fi
}

init_cluster() {
    if [[ -f "$PG_ROOT/.initialized" && -f "$DATA_DIR/PG_VERSION" ]]; then
        return 0
    fi
    if [[ -n "$(ls -A "$DATA_DIR" 2>/dev/null)" ]]; then
        postmaster_pid >/dev/null && die "a server is running on the half-initialised $DATA_DIR; stop it first"
        warn "$DATA_DIR holds an unfinished initdb; wiping it and starting over"
        find "$DATA_DIR" -mindepth 1 -delete
    fi
    local supw pwfile ilog
    supw="$(mw_random_secret 32)"
    printf '%s\n' "$supw" | mw_write_secret_file "$PG_ROOT/password"
    pwfile="$(mktemp "$SERVER_DIR/.pwfile.XXXXXX")"
    chmod 600 "$pwfile"
    printf '%s\n' "$supw" >"$pwfile"
    pg_chown "$pwfile"
    ilog="$SERVER_DIR/log/initdb.log"
    log "initdb $DATA_DIR (owner $PG_OS_USER)"
    if ! as_pg "$PG_BIN/initdb" -D "$DATA_DIR" -U "$PG_OS_USER" --pwfile="$pwfile" \
        --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$ilog" 2>&1; then
        rm -f "$pwfile"
        mw_tail_log "$ilog" 30
        die "initdb failed (see $ilog)"
    fi
    rm -f "$pwfile"
    write_server_conf
    touch "$PG_ROOT/.initialized"
}

start_server() {
    local pid
    if pid="$(postmaster_pid)"; then
        local rp
        rp="$(running_port)"
        if [[ "$rp" != "$PG_PORT" ]]; then
            die "server is running on port $rp but MEDIAWATCH_PG_PORT is $PG_PORT; run postgres.sh down first"
        fi
        return 1 # already running
    fi
    # Not running: clear what a killed server may have left behind.
    kill_strays
    if mw_port_open "$PG_PORT"; then
        local owner
        owner="$(mw_port_owner "$PG_PORT")"
        die "port $PG_PORT is already in use${owner:+ by $owner}; set MEDIAWATCH_PG_PORT to a free port"
    fi
    if [[ -f "$DATA_DIR/postmaster.pid" ]]; then
        log "removing stale postmaster.pid"
        rm -f "$DATA_DIR/postmaster.pid"
    fi
    # The socket lock file names the old postmaster's pid; the server only
    # checks that pid with kill(0), which also succeeds for an unreaped zombie.
    if [[ -e "$SOCK_DIR/.s.PGSQL.$PG_PORT.lock" ]]; then
        log "removing stale socket lock file"
        rm -f "$SOCK_DIR/.s.PGSQL.$PG_PORT.lock" "$SOCK_DIR/.s.PGSQL.$PG_PORT"
    fi
    write_server_conf
    touch "$LOG_FILE"
    pg_chown "$LOG_FILE"
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    if ! (
        mw_close_lock_fds
        as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 -s start </dev/null >/dev/null
    ); then
        mw_tail_log "$LOG_FILE" 30
        die "PostgreSQL did not start (log: $LOG_FILE)"
    fi
    return 0
}

# Create/refresh the superuser password, app role and database.
ensure_roles() {
    local supw apppw
    if [[ -s "$PG_ROOT/password" ]]; then
        supw="$(cat "$PG_ROOT/password")"
    else
        supw="$(mw_random_secret 32)"
        printf '%s\n' "$supw" | mw_write_secret_file "$PG_ROOT/password"
    fi
    apppw="$(url_password)"
    if [[ -z "$apppw" ]]; then apppw="$(mw_random_secret 32)"; fi
    write_url "$apppw" # (re)written so the port is current
    # Secrets go through stdin, never through the command line.
    psql_local <<EOF
\\set supw '$supw'
\\set apppw '$apppw'
ALTER ROLE "$PG_OS_USER" PASSWORD :'supw';
SELECT format('CREATE ROLE %I LOGIN CREATEDB', '$PG_APP_ROLE')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_APP_ROLE') \\gexec
ALTER ROLE "$PG_APP_ROLE" LOGIN CREATEDB PASSWORD :'apppw';
SELECT format('CREATE DATABASE %I OWNER %I', '$PG_DB', '$PG_APP_ROLE')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB') \\gexec
EOF
}

# Log in over TCP exactly as the app will (password auth).
check_app_login() {
    local pw
    pw="$(url_password)"
    PGPASSWORD="$pw" PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$PG_PORT" \
        -U "$PG_APP_ROLE" -d "$PG_DB" -c 'SELECT 1' >/dev/null
}

# URL with the password removed (safe for argv and messages).
redact_url() {
    sed -E 's#^(postgres(ql)?://[^:@/]*):[^@]*@#\1@#' <<<"$1"
}

# ---------------------------------------------------------------- commands
cmd_up() {
    (($# == 0)) || { [[ "$1" == -h || "$1" == --help ]] && { usage; exit 0; }; die "unexpected argument: $1"; }
    if [[ -n "${DATABASE_URL:-}" ]]; then
        local isready=pg_isready
        find_pg_bin && isready="$PG_BIN/pg_isready"
        command -v "$isready" >/dev/null 2>&1 || die "pg_isready not found (install postgresql-client)"
        if "$isready" -q -t 10 -d "$(redact_url "$DATABASE_URL")"; then
            log "using external database from DATABASE_URL ($(redact_url "$DATABASE_URL")); not starting a local server"
            return 0
        fi
        die "DATABASE_URL is set but $(redact_url "$DATABASE_URL") does not answer"
    fi
    [[ "$PG_PORT" =~ ^[0-9]+$ ]] || die "MEDIAWATCH_PG_PORT must be a number"
    mw_lock postgres
    ensure_pg_bin
    ensure_pg_user
    resolve_paths
    if postmaster_pid >/dev/null; then
        # Fast path: already up. Still make sure role/db/url are in place.
        start_server || true
        ensure_roles
        check_app_login || die "server is up but the $PG_APP_ROLE login over TCP failed"
        log "already running on 127.0.0.1:$PG_PORT ($(server_version))"
        return 0
    fi
    choose_server_dir
    init_cluster
    start_server || true
    ensure_roles
    check_app_login || die "server started but the $PG_APP_ROLE login over TCP failed (log: $LOG_FILE)"
    log "up on 127.0.0.1:$PG_PORT ($(server_version)); URL in $PG_ROOT/database_url"
}

server_version() {
    psql_local -At -c 'SHOW server_version' 2>/dev/null | sed 's/ .*//' | sed 's/^/PostgreSQL /' || echo "PostgreSQL ?"
}

stop_server() {
    local mode="$1" pid
    if pid="$(postmaster_pid)"; then
        log "stopping PostgreSQL ($mode)"
        if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m "$mode" -w -t 30 -s stop; then
            warn "pg_ctl stop -m $mode failed; trying immediate"
            as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m immediate -w -t 15 -s stop ||
                { warn "immediate stop failed; killing"; kill -KILL "$pid" 2>/dev/null || true; }
        fi
    else
        log "not running"
    fi
    kill_strays
    if [[ -f "$DATA_DIR/postmaster.pid" ]] && ! postmaster_pid >/dev/null; then
        rm -f "$DATA_DIR/postmaster.pid"
    fi
}

cmd_down() {
    (($# == 0)) || { [[ "$1" == -h || "$1" == --help ]] && { usage; exit 0; }; die "unexpected argument: $1"; }
    [[ -n "${DATABASE_URL:-}" ]] && log "DATABASE_URL is set: the external server is left alone"
    mw_lock postgres
    resolve_paths
    if [[ ! -d "$DATA_DIR" ]]; then
        log "no local cluster"
        return 0
    fi
    find_pg_bin || die "PostgreSQL binaries not found"
    stop_server fast
}

cmd_stop_server() {
    local mode=fast
    while (($#)); do
        case "$1" in
            --mode) mode="${2:-}"; shift ;;
            --mode=*) mode="${1#*=}" ;;
            -h | --help) usage; exit 0 ;;
            *) die "unexpected argument: $1" ;;
        esac
        shift
    done
    case "$mode" in fast | immediate | smart | kill) ;; *) die "--mode must be fast, immediate or kill" ;; esac
    mw_lock postgres
    resolve_paths
    find_pg_bin || die "PostgreSQL binaries not found"
    if [[ "$mode" == kill ]]; then
        # Leave the children to notice on their own, like a real crash.
        local pid
        if pid="$(postmaster_pid)"; then
            log "sending SIGKILL to the postmaster (pid $pid)"
            kill -KILL "$pid"
            while mw_pid_alive "$pid"; do sleep 0.1; done
        else
            log "not running"
        fi
        return 0
    fi
    stop_server "$mode"
}

cmd_status() {
    local header=1
    while (($#)); do
        case "$1" in
            --no-header) header=0 ;;
            -h | --help) usage; exit 0 ;;
            *) die "unexpected argument: $1" ;;
        esac
        shift
    done
    ((header)) && mw_status_row PART STATE ADDRESS VERSION
    if [[ -n "${DATABASE_URL:-}" ]]; then
        local hostport isready=pg_isready
        hostport="$(sed -E 's#^[a-z]+://([^@/]*@)?([^/?]*).*#\2#' <<<"$DATABASE_URL")"
        find_pg_bin && isready="$PG_BIN/pg_isready"
        if "$isready" -q -t 3 -d "$(redact_url "$DATABASE_URL")" 2>/dev/null; then
            mw_status_row postgres up "$hostport" "external (DATABASE_URL)"
            return 0
        fi
        mw_status_row postgres down "$hostport" "external (DATABASE_URL)"
        return 3
    fi
    resolve_paths
    if ! find_pg_bin; then
        mw_status_row postgres down "127.0.0.1:$PG_PORT" "not installed"
        return 3
    fi
    if postmaster_pid >/dev/null; then
        local port
        port="$(running_port)"
        if "$PG_BIN/pg_isready" -q -t 2 -h 127.0.0.1 -p "$port"; then
            mw_status_row postgres up "127.0.0.1:$port" "$(server_version)"
            return 0
        fi
        mw_status_row postgres starting "127.0.0.1:$port" "-"
        return 3
    fi
    local ver="-"
    [[ -f "$DATA_DIR/PG_VERSION" ]] && ver="PostgreSQL $(cat "$DATA_DIR/PG_VERSION") (data)"
    mw_status_row postgres down "127.0.0.1:$PG_PORT" "$ver"
    return 3
}

cmd_url() {
    if [[ -n "${DATABASE_URL:-}" ]]; then
        printf '%s\n' "$DATABASE_URL"
        return 0
    fi
    [[ -s "$PG_ROOT/database_url" ]] || die "no database URL yet: run infra/stack/postgres.sh up"
    cat "$PG_ROOT/database_url"
}

main() {
    local command_name="${1:-}"
    (($#)) && shift
    case "$command_name" in
        up | start-server) cmd_up "$@" ;;
        down) cmd_down "$@" ;;
        stop-server) cmd_stop_server "$@" ;;
        status) cmd_status "$@" ;;
        url) cmd_url "$@" ;;
        -h | --help | help) usage ;;
        "") usage >&2; exit 2 ;;
        *) die "unknown command '$command_name' (see --help)" ;;
    esac
}

main "$@"
