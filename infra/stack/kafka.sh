#!/usr/bin/env bash
# Local Kafka (KRaft, no ZooKeeper, no Docker) for Mediawatch.
#
# Usage: infra/stack/kafka.sh COMMAND [options]     (--help for details)
#
# Layout
#   jars:     $CACHE_DIR/kafka-<version>/libs/*.jar   (fetched once with mvn from
#             infra/kafka/pom.xml; <kafka.version> in that pom is the one place
#             the version is set)
#   clusters: $STACK_DIR/kafka/<cluster>/
#               cluster.conf   brokers/port/secure the cluster was created with
#               secure/        with --secure: CA and broker certificates, the SCRAM
#                              user's password, client.env and client.properties
#               cluster.id     KRaft cluster id, generated once
#               broker-<i>/    server.properties, data/ (log.dirs), logs/
#                              (server.log, controller.log), stdout.log,
#                              broker.pid, version
#
# Port scheme (base port P = --port, default 9092; brokers are numbered 1..N,
# node.id = i, N <= 9):
#   broker i   PLAINTEXT listener   127.0.0.1:(P + i - 1)
#   broker i   CONTROLLER listener  127.0.0.1:(P + 100 + i - 1)
#   broker i   SASL_SSL listener    127.0.0.1:(P + 50 + i - 1)   (with --secure)
# e.g. default cluster: 9092 (+ controller 9192); --brokers 3 --port 29092:
# 29092-29094 (+ controllers 29192-29194). Within one cluster nothing can
# collide; give different clusters base ports that differ by >= 10 and are not
# 50, 100 or 150 apart.
#
# --secure adds a SASL_SSL listener (SCRAM-SHA-512 and SCRAM-SHA-256) beside the
# PLAINTEXT one: a local CA and a broker certificate for 127.0.0.1/localhost are
# made with openssl, and the SCRAM user "mediawatch" is added when the storage is
# formatted (StorageTool format --add-scram). `kafka.sh client-env` prints the
# KAFKA_* variables that make Mediawatch's clients use that listener.
#
# Every broker is a combined broker+controller. One broker: a single-node
# dynamic quorum (StorageTool format --standalone). Several: a static quorum
# (controller.quorum.voters), replication factor 3 (or N if smaller),
# min.insync.replicas 2.

set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mw_set_tag kafka

POM="$INFRA_DIR/kafka/pom.xml"
LOG4J_CONF="$INFRA_DIR/kafka/log4j2.xml"
TOOLS_LOG4J_CONF="$INFRA_DIR/kafka/tools-log4j2.xml"
KAFKA_ROOT="$STACK_DIR/kafka"
CONTROLLER_PORT_OFFSET=100
SECURE_PORT_OFFSET=50
SCRAM_USER=mediawatch
MAX_BROKERS=9
START_TIMEOUT="${MEDIAWATCH_KAFKA_START_TIMEOUT:-120}"
STOP_TIMEOUT="${MEDIAWATCH_KAFKA_STOP_TIMEOUT:-20}"

[[ -f "$POM" ]] || die "missing $POM"
KAFKA_VERSION="$(sed -n 's:.*<kafka\.version>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</kafka\.version>.*:\1:p' "$POM" | head -n1)"
[[ -n "$KAFKA_VERSION" ]] || die "could not read <kafka.version> from $POM"
KAFKA_HOME_DIR="$CACHE_DIR/kafka-$KAFKA_VERSION"
LIBS_DIR="$KAFKA_HOME_DIR/libs"

usage() {
    cat <<EOF
Usage: infra/stack/kafka.sh COMMAND [options]

Commands:
  fetch                      download the Kafka $KAFKA_VERSION jars (once) and print the libs dir
  classpath                  print the classpath for Kafka tools: <libsdir>/*
  up [--brokers N] [--cluster NAME] [--port P] [--secure]
                             start a KRaft cluster (defaults: 1 broker, "default", 9092);
                             waits until every broker serves requests, then prints the
                             bootstrap servers. Harmless when already running. --secure
                             (only when the cluster is created) adds a SASL_SSL listener.
  client-env [--cluster NAME]
                             print the KAFKA_* variables for the SASL_SSL listener of a
                             cluster started with --secure (source it with set -a)
  down [--cluster NAME | --all]
                             stop the cluster's brokers (SIGTERM, SIGKILL after ${STOP_TIMEOUT}s)
  status [--cluster NAME | --all] [--no-header]
                             per broker: state, address, version. Exit 0 if all up, 3 if not.
  bootstrap [--cluster NAME] print the bootstrap servers string
  kill-broker [--cluster NAME] --broker I [--signal SIG]
                             send SIG (default TERM; KILL, STOP, CONT, ...) to one broker;
                             waits for TERM/KILL to take effect
  start-broker [--cluster NAME] --broker I
                             (re)start one broker of an existing cluster and wait for it
  run-class CLASS [ARGS...]  run a Java class with the Kafka classpath (tools logging:
                             WARN to stderr), e.g. org.apache.kafka.tools.TopicCommand
  destroy [--cluster NAME]   stop the cluster and delete its data

Brokers are numbered 1..N. Ports: broker i listens on P+i-1, its controller on
P+100+i-1, its SASL_SSL listener (--secure) on P+50+i-1 (all on 127.0.0.1).

Environment: MEDIAWATCH_STACK_DIR (state, default <repo>/.stack),
MEDIAWATCH_CACHE_DIR (jars, default ~/.cache/mediawatch), JAVA_HOME,
KAFKA_HEAP_OPTS (broker heap, default "-Xmx512m -Xms256m"), KAFKA_TOOLS_JVM_OPTS
(run-class JVM options, default "-Xmx512m"), MEDIAWATCH_KAFKA_EXTRA_PROPS
(extra server.properties lines), MEDIAWATCH_KAFKA_START_TIMEOUT (s, default 120).
EOF
}

# ---------------------------------------------------------------- java / jars
JAVA=""
find_java() {
    [[ -n "$JAVA" ]] && return 0
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        JAVA="$JAVA_HOME/bin/java"
    elif command -v java >/dev/null 2>&1; then
        JAVA="$(command -v java)"
    else
        die "java not found (Kafka $KAFKA_VERSION needs Java 17+): install a JDK 17 (apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME"
    fi
    local out major
    out="$("$JAVA" -version 2>&1 || true)"
    major="$(printf '%s\n' "$out" | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -n1)"
    if [[ "$major" == 1 ]]; then major=8; fi
    if [[ -z "$major" || "$major" -lt 17 ]]; then
        die "Kafka $KAFKA_VERSION needs Java 17+, but $JAVA is: $(printf '%s\n' "$out" | head -n1). Set JAVA_HOME to a newer JDK."
    fi
}

libs_ready() {
    [[ -f "$LIBS_DIR/.complete" && -f "$LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar" && -f "$LIBS_DIR/kafka-tools-$KAFKA_VERSION.jar" ]]
}

ensure_libs() {
    libs_ready && return 0
    command -v mvn >/dev/null 2>&1 ||
        die "Kafka jars are not in $LIBS_DIR and mvn is missing: install Maven (apt-get install -y maven) and run again"
    mkdir -p "$KAFKA_HOME_DIR"
    local tmp="$KAFKA_HOME_DIR/libs.tmp.$$" flog="$KAFKA_HOME_DIR/fetch.log"
    rm -rf "$tmp"
    log "fetching Kafka $KAFKA_VERSION jars with Maven (first run only; log: $flog)"
    local start
    start=$(mw_now)
    if ! mvn -B -q -Dstyle.color=never -f "$POM" \
        dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$tmp" >"$flog" 2>&1; then
        rm -rf "$tmp"
        mw_tail_log "$flog" 30
        die "mvn could not fetch the Kafka jars (see $flog)"
    fi
    [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || { rm -rf "$tmp"; die "mvn finished but kafka_2.13-$KAFKA_VERSION.jar is missing from the copy"; }
    touch "$tmp/.complete"
    rm -rf "$LIBS_DIR"
    mv "$tmp" "$LIBS_DIR"
    log "fetched $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars in $(($(mw_now) - start))s"
}

# Run a Kafka class with the tools logging config (WARN to stderr).
# Internal one-shot admin calls use a fast-starting JVM (C1 only, small heap);
# run-class (benchmarks!) gets a normal JVM, tunable with KAFKA_TOOLS_JVM_OPTS.
run_tool() {
    find_java
    local -a jvm=(-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true)
    "$JAVA" "${jvm[@]}" "-Dlog4j2.configurationFile=$TOOLS_LOG4J_CONF" -cp "$LIBS_DIR/*" "$@"
}

run_class() {
    find_java
    # shellcheck disable=SC2206
    local -a jvm=(${KAFKA_TOOLS_JVM_OPTS:--Xmx512m} -Djava.awt.headless=true)
    exec "$JAVA" "${jvm[@]}" "-Dlog4j2.configurationFile=$TOOLS_LOG4J_CONF" -cp "$LIBS_DIR/*" "$@"
}

# ---------------------------------------------------------------- cluster model
valid_name() { [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]]; }

cluster_dir() { printf '%s/%s\n' "$KAFKA_ROOT" "$1"; }
broker_dir() { printf '%s/%s/broker-%s\n' "$KAFKA_ROOT" "$1" "$2"; }
broker_port() { echo $((C_PORT + $1 - 1)); }
controller_port() { echo $((C_PORT + CONTROLLER_PORT_OFFSET + $1 - 1)); }
secure_port() { echo $((C_PORT + SECURE_PORT_OFFSET + $1 - 1)); }
secure_dir() { printf '%s/secure\n' "$(cluster_dir "$1")"; }
# Unique string in each broker's java command line (trailing space matters:
# it keeps broker-1 from matching broker-10 style names).
broker_marker() { printf -- '-Dmediawatch.kafka.broker=%s ' "$(broker_dir "$1" "$2")"; }

# Cluster parameters, filled by load_cluster.
C_NAME="" C_BROKERS="" C_PORT="" C_SECURE=0

# Read cluster.conf into C_*; returns 1 if the cluster was never created.
load_cluster() {
    local name="$1" conf
    conf="$(cluster_dir "$name")/cluster.conf"
    C_NAME="$name" C_BROKERS="" C_PORT="" C_SECURE=0
    [[ -f "$conf" ]] || return 1
    local key val
    while IFS='=' read -r key val; do
        case "$key" in
            brokers) C_BROKERS="$val" ;;
            port) C_PORT="$val" ;;
            secure) C_SECURE="$val" ;;
        esac
    done <"$conf"
    [[ "$C_BROKERS" =~ ^[0-9]+$ && "$C_PORT" =~ ^[0-9]+$ ]] || die "corrupt $conf (run: kafka.sh destroy --cluster $name)"
}

bootstrap_servers() {
    local i out=() port_of="${1:-broker_port}"
    for ((i = 1; i <= C_BROKERS; i++)); do out+=("127.0.0.1:$("$port_of" "$i")"); done
    local IFS=,
    printf '%s\n' "${out[*]}"
}

# The CA, the brokers' key store and the SCRAM user's password of a --secure
# cluster, made once with openssl; then client.env and client.properties.
make_secure_material() {
    local dir tmp
    dir="$(secure_dir "$C_NAME")"
    if [[ ! -s "$dir/broker.p12" ]]; then
        command -v openssl >/dev/null 2>&1 || die "--secure needs openssl (apt-get install -y openssl)"
        tmp="$dir.tmp.$$"
        rm -rf "$tmp"
        mkdir -p "$tmp"
        chmod 700 "$tmp"
        log "making a local CA and the broker certificate for cluster $C_NAME"
        (
            cd "$tmp"
            umask 077
            openssl rand -hex 24 >keystore.password
            openssl rand -hex 24 >sasl.password
            openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout ca.key -out ca.pem \
                -subj "/CN=Mediawatch local CA ($C_NAME)" \
                -addext "basicConstraints=critical,CA:TRUE" \
                -addext "keyUsage=critical,keyCertSign,cRLSign"
            openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr \
                -subj "/CN=127.0.0.1"
            printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
                "basicConstraints=CA:FALSE" "keyUsage=digitalSignature,keyEncipherment" \
                "extendedKeyUsage=serverAuth" >broker.ext
            openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
                -days 3650 -extfile broker.ext -out broker.pem
            openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem \
                -name broker -out broker.p12 -passout "file:keystore.password"
            chmod 644 ca.pem
        ) >"$tmp.log" 2>&1 || { mw_tail_log "$tmp.log" 20; rm -rf "$tmp"; die "making the certificates failed"; }
        rm -f "$tmp.log"
        rm -rf "$dir"
        mv "$tmp" "$dir"
    fi
    local bs
    bs="$(bootstrap_servers secure_port)"
    {
        echo "KAFKA_BOOTSTRAP_SERVERS=$bs"
        echo "KAFKA_SECURITY_PROTOCOL=SASL_SSL"
        echo "KAFKA_SASL_MECHANISM=SCRAM-SHA-512"
        echo "KAFKA_SASL_USERNAME=$SCRAM_USER"
        echo "KAFKA_SASL_PASSWORD_FILE=$dir/sasl.password"
        echo "KAFKA_SSL_CA_LOCATION=$dir/ca.pem"
    } >"$dir/client.env"
    (
        umask 077
        {
            echo "bootstrap.servers=$bs"
            echo "security.protocol=SASL_SSL"
            echo "sasl.mechanism=SCRAM-SHA-512"
            echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$SCRAM_USER\" password=\"$(cat "$dir/sasl.password")\";"
            echo "ssl.truststore.type=PEM"
            echo "ssl.truststore.location=$dir/ca.pem"
        } >"$dir/client.properties"
    )
}

list_clusters() {
    local d
    [[ -d "$KAFKA_ROOT" ]] || return 0
    for d in "$KAFKA_ROOT"/*/; do
        [[ -f "$d/cluster.conf" ]] && basename "$d"
    done
    return 0
}

# Pid of broker i of the loaded cluster if its process is alive (stale pid
# files are removed; a live stray process of this broker is adopted).
broker_pid() {
    local i="$1" dir pid marker
    dir="$(broker_dir "$C_NAME" "$i")"
    marker="$(broker_marker "$C_NAME" "$i")"
    if pid="$(mw_pidfile_read "$dir/broker.pid" "$marker")"; then
        printf '%s\n' "$pid"
        return 0
    fi
    pid="$(mw_pids_matching "$marker" java | head -n1)"
    if [[ -n "$pid" ]]; then
        [[ -d "$dir" ]] && printf '%s\n' "$pid" >"$dir/broker.pid"
        printf '%s\n' "$pid"
        return 0
    fi
    return 1
}

write_server_properties() {
    local i="$1" dir rf isr voters="" j
    dir="$(broker_dir "$C_NAME" "$i")"
    if ((C_BROKERS >= 3)); then rf=3; else rf=$C_BROKERS; fi
    if ((C_BROKERS >= 3)); then isr=2; else isr=1; fi
    for ((j = 1; j <= C_BROKERS; j++)); do
        voters+="${voters:+,}$j@127.0.0.1:$(controller_port "$j")"
    done
    mkdir -p "$dir/data" "$dir/logs"
    {
        echo "# Generated by infra/stack/kafka.sh (cluster $C_NAME, broker $i of $C_BROKERS)."
        echo "# Rewritten on every 'up'; do not edit."
        echo "process.roles=broker,controller"
        echo "node.id=$i"
        local listeners="PLAINTEXT://127.0.0.1:$(broker_port "$i"),CONTROLLER://127.0.0.1:$(controller_port "$i")"
        local protocols="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
        if ((C_SECURE)); then
            listeners+=",SASL_SSL://127.0.0.1:$(secure_port "$i")"
            protocols+=",SASL_SSL:SASL_SSL"
        fi
        echo "listeners=$listeners"
        echo "advertised.listeners=$listeners"
        echo "listener.security.protocol.map=$protocols"
        if ((C_SECURE)); then
            local sdir scram
            sdir="$(secure_dir "$C_NAME")"
            scram="org.apache.kafka.common.security.scram.ScramLoginModule required;"
            echo "sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256"
            echo "listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256"
            echo "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$scram"
            echo "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=$scram"
            echo "ssl.keystore.type=PKCS12"
            echo "ssl.keystore.location=$sdir/broker.p12"
            echo "ssl.keystore.password=$(cat "$sdir/keystore.password")"
            echo "ssl.key.password=$(cat "$sdir/keystore.password")"
        fi
        echo "inter.broker.listener.name=PLAINTEXT"
        echo "controller.listener.names=CONTROLLER"
        if ((C_BROKERS == 1)); then
            echo "controller.quorum.bootstrap.servers=127.0.0.1:$(controller_port 1)"
        else
            echo "controller.quorum.voters=$voters"
        fi
        echo "log.dirs=$dir/data"
        echo "num.partitions=3"
        echo "default.replication.factor=$rf"
        echo "min.insync.replicas=$isr"
        echo "offsets.topic.replication.factor=$rf"
        echo "transaction.state.log.replication.factor=$rf"
        echo "transaction.state.log.min.isr=$isr"
        echo "share.coordinator.state.topic.replication.factor=$rf"
        echo "share.coordinator.state.topic.min.isr=$isr"
        echo "auto.create.topics.enable=false"
        echo "group.initial.rebalance.delay.ms=0"
        # A restarted (e.g. SIGKILLed) broker cannot re-register until its old
        # session expires; 6 s instead of 9 s keeps restarts quick while still
        # tolerating GC/CPU hiccups on a small machine.
        echo "broker.heartbeat.interval.ms=1000"
        echo "broker.session.timeout.ms=6000"
        echo "num.network.threads=2"
        echo "num.io.threads=4"
        echo "log.retention.hours=24"
        echo "log.segment.bytes=104857600"
        if [[ -n "${MEDIAWATCH_KAFKA_EXTRA_PROPS:-}" ]]; then
            echo "# from MEDIAWATCH_KAFKA_EXTRA_PROPS"
            printf '%s\n' "$MEDIAWATCH_KAFKA_EXTRA_PROPS"
        fi
    } >"$dir/server.properties.tmp"
    mv -f "$dir/server.properties.tmp" "$dir/server.properties"
}

format_if_needed() {
    local i="$1" dir cid flog
    dir="$(broker_dir "$C_NAME" "$i")"
    [[ -f "$dir/data/meta.properties" ]] && return 0
    cid="$(cat "$(cluster_dir "$C_NAME")/cluster.id")"
    flog="$dir/format.log"
    local -a mode=()
    ((C_BROKERS == 1)) && mode=(--standalone)
    if ((C_SECURE)); then
        local password
        password="$(cat "$(secure_dir "$C_NAME")/sasl.password")"
        mode+=(--add-scram "SCRAM-SHA-512=[name=$SCRAM_USER,password=$password]"
            --add-scram "SCRAM-SHA-256=[name=$SCRAM_USER,password=$password]")
    fi
    log "formatting storage of broker $i (cluster $C_NAME)"
    if ! run_tool kafka.tools.StorageTool format "${mode[@]}" --ignore-formatted \
        --cluster-id "$cid" -c "$dir/server.properties" >"$flog" 2>&1; then
        mw_tail_log "$flog" 20
        die "formatting $dir/data failed"
    fi
}

# Fail if broker i's ports are taken (call only when broker i is not running).
check_ports_free() {
    local i="$1" p owner
    local -a ports=("$(broker_port "$i")" "$(controller_port "$i")")
    ((C_SECURE)) && ports+=("$(secure_port "$i")")
    for p in "${ports[@]}"; do
        if mw_port_open "$p"; then
            owner="$(mw_port_owner "$p")"
            die "port $p (broker $i of cluster $C_NAME) is already in use${owner:+ by $owner}; stop that process or pick another --port"
        fi
    done
}

# Start the java process of broker i (no waiting beyond its pid file).
launch_broker() {
    local i="$1" dir pidfile marker port cport
    dir="$(broker_dir "$C_NAME" "$i")"
    pidfile="$dir/broker.pid"
    marker="$(broker_marker "$C_NAME" "$i")"
    port="$(broker_port "$i")"
    cport="$(controller_port "$i")"

    check_ports_free "$i"

    # A killed broker leaves its log-dir lock file behind; nothing of ours
    # holds it now (checked above), so it is safe to drop.
    rm -f "$dir/data/.lock"
    format_if_needed "$i"

    # shellcheck disable=SC2206
    local -a heap=(${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m})
    local -a cmd=(
        "$JAVA" "${heap[@]}"
        -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
        -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError
        -Djava.awt.headless=true
        "-Dlog4j2.configurationFile=$LOG4J_CONF"
        "-Dkafka.logs.dir=$dir/logs"
        "${marker% }"
        -cp "$LIBS_DIR/*"
        kafka.Kafka "$dir/server.properties"
    )
    printf '%s\n' "$KAFKA_VERSION" >"$dir/version"
    printf '\n==== %s starting broker %s (Kafka %s) ====\n' "$(date -Is)" "$i" "$KAFKA_VERSION" >>"$dir/stdout.log"
    rm -f "$pidfile"
    (
        mw_close_lock_fds
        cd "$dir"
        # The inner bash records its own pid, then becomes java (exec), so the
        # pid file holds the broker's pid whether or not setsid had to fork.
        # shellcheck disable=SC2016
        exec nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "${cmd[@]}" \
            </dev/null >>"$dir/stdout.log" 2>&1
    ) &
    local n=0
    until [[ -s "$pidfile" ]]; do
        ((++n > 50)) && die "broker $i did not write its pid file"
        sleep 0.1
    done
    log "started broker $i (pid $(cat "$pidfile"), 127.0.0.1:$port, controller :$cport)"
}

# True if BrokerApiVersionsCommand output <api_out> shows broker i registered,
# unfenced and answering, i.e. a line like
#   127.0.0.1:9092 (id: 1 rack: null isFenced: false) -> (
broker_serving() {
    local i="$1" api_out="$2" line
    while IFS= read -r line; do
        [[ "$line" == *"(id: $i rack"* ]] || continue
        [[ "$line" == *"-> (" && "$line" != *"isFenced: true"* ]] && return 0
    done <<<"$api_out"
    return 1
}

# Wait until the given brokers listen and show up in the cluster metadata.
wait_ready() {
    local deadline i dir pid out missing
    deadline=$(($(mw_now) + START_TIMEOUT))
    local -a ids=("$@")
    for i in "${ids[@]}"; do
        dir="$(broker_dir "$C_NAME" "$i")"
        until mw_port_open "$(broker_port "$i")"; do
            if ! pid="$(broker_pid "$i")"; then
                mw_tail_log "$dir/stdout.log" 20
                mw_tail_log "$dir/logs/server.log" 40
                die "broker $i of cluster $C_NAME exited during startup"
            fi
            if (($(mw_now) >= deadline)); then
                mw_tail_log "$dir/logs/server.log" 40
                die "broker $i did not open port $(broker_port "$i") within ${START_TIMEOUT}s"
            fi
            sleep 0.25
        done
    done
    # Ask the cluster (through the brokers themselves) which brokers it has.
    local bs
    bs="$(bootstrap_servers)"
    while :; do
        out="$(timeout 30 "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
            "-Dlog4j2.configurationFile=$TOOLS_LOG4J_CONF" -cp "$LIBS_DIR/*" \
            org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "$bs" 2>/dev/null || true)"
        missing=()
        for i in "${ids[@]}"; do
            broker_serving "$i" "$out" || missing+=("$i")
        done
        ((${#missing[@]} == 0)) && return 0
        for i in "${ids[@]}"; do
            if ! broker_pid "$i" >/dev/null; then
                dir="$(broker_dir "$C_NAME" "$i")"
                mw_tail_log "$dir/logs/server.log" 40
                die "broker $i of cluster $C_NAME exited during startup"
            fi
        done
        if (($(mw_now) >= deadline)); then
            for i in "${missing[@]}"; do
                mw_tail_log "$(broker_dir "$C_NAME" "$i")/logs/server.log" 30
            done
            die "broker(s) ${missing[*]} of cluster $C_NAME not serving within ${START_TIMEOUT}s"
        fi
        sleep 1
    done
}

# ---------------------------------------------------------------- option parsing
OPT_CLUSTER="" OPT_BROKERS="" OPT_PORT="" OPT_ALL=0 OPT_BROKER="" OPT_SIGNAL="" OPT_NO_HEADER=0
OPT_SECURE=0
parse_opts() {
    local allowed=" $1 "; shift
    while (($#)); do
        local opt="$1" val=""
        case "$opt" in
            -h | --help) usage; exit 0 ;;
            --*=*) val="${opt#*=}"; opt="${opt%%=*}" ;;
            --all | --no-header | --secure) ;;
            --*) (($# >= 2)) || die "option $opt needs a value"; val="$2"; shift ;;
            *) die "unexpected argument: $opt (see --help)" ;;
        esac
        [[ "$allowed" == *" $opt "* ]] || die "option $opt is not valid here (see --help)"
        case "$opt" in
            --cluster) OPT_CLUSTER="$val" ;;
            --brokers) OPT_BROKERS="$val" ;;
            --port) OPT_PORT="$val" ;;
            --broker) OPT_BROKER="$val" ;;
            --signal) OPT_SIGNAL="$val" ;;
            --all) OPT_ALL=1 ;;
            --no-header) OPT_NO_HEADER=1 ;;
            --secure) OPT_SECURE=1 ;;
        esac
        shift
    done
    if [[ -n "$OPT_CLUSTER" ]] && ! valid_name "$OPT_CLUSTER"; then
        die "bad cluster name '$OPT_CLUSTER' (letters, digits, . _ -)"
    fi
    if [[ -n "$OPT_BROKERS" ]] && ! [[ "$OPT_BROKERS" =~ ^[1-9]$ ]]; then
        die "--brokers must be 1..$MAX_BROKERS"
    fi
    if [[ -n "$OPT_PORT" ]] && ! { [[ "$OPT_PORT" =~ ^[0-9]+$ ]] && ((OPT_PORT >= 1024 && OPT_PORT <= 65000)); }; then
        die "--port must be a number in 1024..65000"
    fi
    return 0
}

require_cluster() {
    local name="${OPT_CLUSTER:-default}"
    load_cluster "$name" || die "cluster '$name' does not exist (start it with: kafka.sh up --cluster $name)"
}

require_broker_opt() {
    [[ -n "$OPT_BROKER" ]] || die "--broker I is required"
    if ! [[ "$OPT_BROKER" =~ ^[0-9]+$ ]] || ((OPT_BROKER < 1 || OPT_BROKER > C_BROKERS)); then
        die "--broker must be 1..$C_BROKERS for cluster $C_NAME"
    fi
}

# ---------------------------------------------------------------- commands
cmd_fetch() {
    parse_opts "" "$@"
    ensure_libs
    printf '%s\n' "$LIBS_DIR"
}

cmd_classpath() {
    parse_opts "" "$@"
    MEDIAWATCH_QUIET=1 ensure_libs
    printf '%s/*\n' "$LIBS_DIR"
}

cmd_up() {
    parse_opts "--cluster --brokers --port --secure" "$@"
    local name="${OPT_CLUSTER:-default}"
    mw_lock "kafka-$name"

    local cdir
    cdir="$(cluster_dir "$name")"
    if load_cluster "$name"; then
        if [[ -n "$OPT_BROKERS" && "$OPT_BROKERS" != "$C_BROKERS" ]] ||
            [[ -n "$OPT_PORT" && "$OPT_PORT" != "$C_PORT" ]]; then
            die "cluster '$name' exists with $C_BROKERS broker(s) on port $C_PORT; to change it run: kafka.sh destroy --cluster $name"
        fi
        if ((OPT_SECURE && !C_SECURE)); then
            die "cluster '$name' exists without the SASL_SSL listener (its SCRAM user is added when the storage is formatted); to recreate it run: kafka.sh destroy --cluster $name"
        fi
    else
        C_NAME="$name" C_BROKERS="${OPT_BROKERS:-1}" C_PORT="${OPT_PORT:-9092}" C_SECURE="$OPT_SECURE"
    fi

    # Fast path: everything already running.
    local i running=() stopped=() pid
    for ((i = 1; i <= C_BROKERS; i++)); do
        if pid="$(broker_pid "$i")"; then
            running+=("$i")
            [[ "$(mw_pid_state "$pid")" == T ]] && stopped+=("$i")
        fi
    done
    if ((${#running[@]} == C_BROKERS)); then
        local all_open=1
        for i in "${running[@]}"; do mw_port_open "$(broker_port "$i")" || all_open=0; done
        if ((all_open)); then
            ((${#stopped[@]})) && warn "broker(s) ${stopped[*]} are SIGSTOPped (resume: kafka.sh kill-broker --cluster $name --broker I --signal CONT)"
            log "cluster '$name' already running ($C_BROKERS broker(s), Kafka $(cat "$(broker_dir "$name" 1)/version" 2>/dev/null || echo "$KAFKA_VERSION")); bootstrap servers: $(bootstrap_servers)"
            bootstrap_servers
            return 0
        fi
    fi

    for ((i = 1; i <= C_BROKERS; i++)); do
        broker_pid "$i" >/dev/null || check_ports_free "$i"
    done
    find_java
    ensure_libs
    mkdir -p "$cdir"
    printf 'brokers=%s\nport=%s\nsecure=%s\n' "$C_BROKERS" "$C_PORT" "$C_SECURE" >"$cdir/cluster.conf"
    ((C_SECURE)) && make_secure_material
    if [[ ! -s "$cdir/cluster.id" ]]; then
        run_tool kafka.tools.StorageTool random-uuid >"$cdir/cluster.id.tmp" 2>/dev/null ||
            die "could not generate a cluster id (kafka.tools.StorageTool random-uuid failed)"
        tr -d '[:space:]' <"$cdir/cluster.id.tmp" >"$cdir/cluster.id"
        rm -f "$cdir/cluster.id.tmp"
        [[ -s "$cdir/cluster.id" ]] || die "empty cluster id"
    fi

    local started=()
    for ((i = 1; i <= C_BROKERS; i++)); do
        write_server_properties "$i"
        if broker_pid "$i" >/dev/null; then
            continue
        fi
        started+=("$i")
    done
    # Format new brokers in parallel (each is a JVM start), then launch.
    local -a fmt_pids=()
    for i in "${started[@]}"; do
        format_if_needed "$i" &
        fmt_pids+=("$!")
    done
    local fp
    for fp in "${fmt_pids[@]}"; do
        wait "$fp" || die "formatting broker storage failed (see above)"
    done
    for i in "${started[@]}"; do launch_broker "$i"; done

    local ids=()
    for ((i = 1; i <= C_BROKERS; i++)); do ids+=("$i"); done
    log "waiting for $C_BROKERS broker(s) of cluster '$name' to serve requests"
    local t0
    t0=$(mw_now)
    wait_ready "${ids[@]}"
    log "cluster '$name' is up (Kafka $KAFKA_VERSION, ready after $(($(mw_now) - t0))s); bootstrap servers: $(bootstrap_servers)"
    bootstrap_servers
}

stop_cluster() {
    local name="$1" i pid dir
    local -a pids=()
    if load_cluster "$name"; then
        for ((i = 1; i <= C_BROKERS; i++)); do
            pid="$(broker_pid "$i")" && pids+=("$pid")
        done
    fi
    # Strays: any java whose command line names this cluster's directory.
    while read -r pid; do
        [[ -n "$pid" && " ${pids[*]} " != *" $pid "* ]] && pids+=("$pid")
    done < <(mw_pids_matching "-Dmediawatch.kafka.broker=$(cluster_dir "$name")/" java)
    if ((${#pids[@]})); then
        log "stopping cluster '$name' (pids ${pids[*]})"
        mw_terminate "$STOP_TIMEOUT" "${pids[@]}" || die "could not stop all brokers of cluster '$name'"
    else
        log "cluster '$name' is not running"
    fi
    for dir in "$(cluster_dir "$name")"/broker-*; do
        [[ -d "$dir" ]] && rm -f "$dir/broker.pid"
    done
    return 0
}

cmd_down() {
    parse_opts "--cluster --all" "$@"
    local name
    if ((OPT_ALL)); then
        [[ -z "$OPT_CLUSTER" ]] || die "use either --cluster or --all"
        local any=0
        for name in $(list_clusters); do
            any=1
            (mw_lock "kafka-$name" && stop_cluster "$name")
        done
        # Anything of ours left whose cluster dir is gone.
        local -a strays=()
        mapfile -t strays < <(mw_pids_matching "-Dmediawatch.kafka.broker=$KAFKA_ROOT/" java)
        if ((${#strays[@]})); then
            log "stopping leftover broker process(es) ${strays[*]}"
            mw_terminate "$STOP_TIMEOUT" "${strays[@]}" || true
        elif ((!any)); then
            log "no Kafka clusters under $KAFKA_ROOT"
        fi
    else
        name="${OPT_CLUSTER:-default}"
        mw_lock "kafka-$name"
        stop_cluster "$name"
    fi
}

cmd_destroy() {
    parse_opts "--cluster" "$@"
    local name="${OPT_CLUSTER:-default}"
    mw_lock "kafka-$name"
    stop_cluster "$name"
    rm -rf "$(cluster_dir "$name")"
    log "deleted cluster '$name'"
}

status_cluster() {
    local name="$1" i pid state addr ver rc=0 dir
    if ! load_cluster "$name"; then
        mw_status_row "kafka/$name" "down" "-" "not created"
        return 3
    fi
    for ((i = 1; i <= C_BROKERS; i++)); do
        dir="$(broker_dir "$name" "$i")"
        addr="127.0.0.1:$(broker_port "$i")"
        ver="$(cat "$dir/version" 2>/dev/null || echo "$KAFKA_VERSION")"
        if pid="$(broker_pid "$i")"; then
            if [[ "$(mw_pid_state "$pid")" == T ]]; then
                state="stopped"; rc=3
            elif mw_port_open "$(broker_port "$i")"; then
                state="up"
            else
                state="starting"; rc=3
            fi
        else
            state="down"; rc=3
        fi
        mw_status_row "kafka/$name/b$i" "$state" "$addr" "kafka $ver"
    done
    return "$rc"
}

cmd_status() {
    parse_opts "--cluster --all --no-header" "$@"
    ((OPT_NO_HEADER)) || mw_status_row PART STATE ADDRESS VERSION
    local rc=0 name
    if ((OPT_ALL)); then
        local any=0
        for name in $(list_clusters); do
            any=1
            status_cluster "$name" || rc=3
        done
        ((any)) || { mw_status_row "kafka" "down" "-" "no clusters"; rc=3; }
    else
        status_cluster "${OPT_CLUSTER:-default}" || rc=3
    fi
    return "$rc"
}

cmd_bootstrap() {
    parse_opts "--cluster" "$@"
    local name="${OPT_CLUSTER:-default}"
    if ! load_cluster "$name"; then
        [[ "$name" == default ]] || die "cluster '$name' does not exist"
        C_NAME=default C_BROKERS=1 C_PORT=9092
    fi
    bootstrap_servers
}

cmd_client_env() {
    parse_opts "--cluster" "$@"
    require_cluster
    ((C_SECURE)) || die "cluster '$C_NAME' has no SASL_SSL listener (start it with: kafka.sh up --cluster $C_NAME --secure)"
    cat "$(secure_dir "$C_NAME")/client.env"
}

cmd_kill_broker() {
    parse_opts "--cluster --broker --signal" "$@"
    require_cluster
    require_broker_opt
    local sig="${OPT_SIGNAL:-TERM}" pid
    sig="${sig#SIG}"
    sig="${sig^^}"
    kill -l "$sig" >/dev/null 2>&1 || die "unknown signal '$OPT_SIGNAL'"
    pid="$(broker_pid "$OPT_BROKER")" || die "broker $OPT_BROKER of cluster $C_NAME is not running"
    log "sending SIG$sig to broker $OPT_BROKER of cluster $C_NAME (pid $pid)"
    kill -s "$sig" "$pid"
    case "$sig" in
        KILL | TERM | INT | QUIT)
            local deadline wait_s=60
            [[ "$sig" == KILL ]] && wait_s=10
            deadline=$(($(mw_now) + wait_s))
            if [[ "$sig" != KILL ]]; then kill -CONT "$pid" 2>/dev/null || true; fi
            while mw_pid_alive "$pid"; do
                (($(mw_now) >= deadline)) && die "broker $OPT_BROKER (pid $pid) still alive after SIG$sig"
                sleep 0.1
            done
            rm -f "$(broker_dir "$C_NAME" "$OPT_BROKER")/broker.pid"
            log "broker $OPT_BROKER is down"
            ;;
    esac
}

cmd_start_broker() {
    parse_opts "--cluster --broker" "$@"
    require_cluster
    require_broker_opt
    mw_lock "kafka-$C_NAME"
    local i="$OPT_BROKER" pid
    if pid="$(broker_pid "$i")"; then
        if [[ "$(mw_pid_state "$pid")" == T ]]; then
            warn "broker $i is SIGSTOPped (pid $pid); resume it with --signal CONT"
        else
            log "broker $i of cluster $C_NAME already running (pid $pid)"
        fi
        return 0
    fi
    find_java
    ensure_libs
    write_server_properties "$i"
    launch_broker "$i"
    wait_ready "$i"
    log "broker $i of cluster $C_NAME is serving on 127.0.0.1:$(broker_port "$i")"
}

cmd_run_class() {
    (($#)) || die "run-class needs a class name"
    case "$1" in -h | --help) usage; exit 0 ;; esac
    MEDIAWATCH_QUIET=1 ensure_libs
    run_class "$@"
}

main() {
    local command_name="${1:-}"
    (($#)) && shift
    case "$command_name" in
        fetch) cmd_fetch "$@" ;;
        classpath) cmd_classpath "$@" ;;
        up) cmd_up "$@" ;;
        down) cmd_down "$@" ;;
        status) cmd_status "$@" ;;
        bootstrap) cmd_bootstrap "$@" ;;
        client-env) cmd_client_env "$@" ;;
        kill-broker) cmd_kill_broker "$@" ;;
        start-broker) cmd_start_broker "$@" ;;
        run-class) cmd_run_class "$@" ;;
        destroy) cmd_destroy "$@" ;;
        -h | --help | help) usage ;;
        "") usage >&2; exit 2 ;;
        *) die "unknown command '$command_name' (see --help)" ;;
    esac
}

main "$@"
