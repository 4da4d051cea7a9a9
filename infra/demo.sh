#!/usr/bin/env bash
# `make demo`: the whole system on the local stack, step by step.
#  1. a synthetic session through the event log and back (the contract, end to end);
#  2. projector, API, aggregator, alerter, health reporter, notifier and transcoder started as
#     background services (they keep running, and the local Prometheus scrapes them);
#  3. real sessions through the background transcoder with ffmpeg, one of them broken;
#  4. the alert of a failed session delivered to a local webhook receiver;
#  5. window results from the aggregator, answers of the query API;
#  6. the URLs of the dashboard and the API, and a login for them;
#  7. ends with the broken session's timeline, replayed from the log. `make down` stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=stack/lib.sh
source infra/stack/lib.sh
mw_set_tag demo

MW=(.venv/bin/mediawatch)
DEMO_DIR="$STACK_DIR/demo"
mkdir -p "$DEMO_DIR"
export LOG_CONSOLE=false
export DATABASE_URL="${DATABASE_URL:-$(bash infra/stack/postgres.sh url)}"
export API_PORT="${API_PORT:-8000}"
# Short windows so that results appear within the demo; production uses 1 min, 5 min and 1 h.
# The dashboard charts the shortest tumbling windows there are: 10 s here.
export AGGREGATOR_WINDOWS="${AGGREGATOR_WINDOWS:-10,30/10}" AGGREGATOR_GRACE_SECONDS="${AGGREGATOR_GRACE_SECONDS:-2}"
export AGGREGATOR_MAX_DELAY_SECONDS="${AGGREGATOR_MAX_DELAY_SECONDS:-2}"
# The health reporter checks this host every 30 s in the demo (default 300 s), so its results
# and any health alert show within the demo.
export HEALTH_CHECK_INTERVAL_SECONDS="${HEALTH_CHECK_INTERVAL_SECONDS:-30}"
SERVICES=(projector api aggregator alerter health)

secret() { # a generated secret kept in a mode-600 file, the same on every run
    [[ -s "$DEMO_DIR/$1" ]] || mw_random_secret 40 | mw_write_secret_file "$DEMO_DIR/$1"
    cat "$DEMO_DIR/$1"
}
API_JWT_SECRET="$(secret jwt_secret)"
export API_JWT_SECRET API_ENVIRONMENT=production
PASSWORD="$(secret admin_password)"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. A synthetic session through Kafka and back"
"${MW[@]}" demo

step "2. Projector, API, aggregator, alerter, health reporter, notifier and transcoder in the background"
bash infra/stack/services.sh down "${SERVICES[@]}" notifier transcoder # (re)start them with this checkout's code
bash infra/stack/services.sh up "${SERVICES[@]}"
# The notifier pushes the alerts to the local Alertmanager, linking them to the dashboard.
NOTIFIER_SINK_TYPE=alertmanager NOTIFIER_URL="${NOTIFIER_URL:-http://127.0.0.1:9093}" \
    NOTIFIER_DASHBOARD_URL="http://127.0.0.1:$API_PORT" bash infra/stack/services.sh up notifier
# The transcoder counts a stage slower than 1 s (an ffmpeg run slower than 0.5 s) as slow, so
# that performance.log shows entries after the demo's small clips (default: 300 s).
MONITORING_PROCESSING_TIME_THRESHOLD=1 bash infra/stack/services.sh up transcoder
mw_wait_for_port "$API_PORT" 60 || { mw_tail_log "$STACK_DIR/services/api.log"; die "the API did not start"; }
printf '%s\n' "$PASSWORD" | "${MW[@]}" users add demo --role admin --password-stdin >/dev/null

step "3. Real sessions through the transcoder (ffmpeg)"
since="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
"${MW[@]}" transcode-demo --no-local-worker

step "4. Alerts of a failed session, delivered to a webhook"
"${MW[@]}" alerting-demo

step "5. Windowed statistics from the aggregator"
# The 10 s and 30 s windows of the sessions above close after their grace period.
for _ in $(seq 12); do
    out="$("${MW[@]}" windows --timeout 5 2>/dev/null || true)"
    [[ -n "$out" ]] && break
    sleep 5
done
printf '%s\n' "${out:-no window has closed yet: see 'mediawatch windows' in a minute}"

step "6. The query API"
.venv/bin/python infra/api_tour.py "http://127.0.0.1:$API_PORT" demo "$PASSWORD"

step "Running now"
cat <<MSG
Dashboard: http://127.0.0.1:$API_PORT/
API:       http://127.0.0.1:$API_PORT/api/v1/monitoring/health   (OpenAPI: /schema/swagger)
Login:     user "demo", password in $DEMO_DIR/admin_password
Services:  bash infra/stack/services.sh status   (logs in $STACK_DIR/services/)
Metrics:   http://127.0.0.1:${MEDIAWATCH_PROMETHEUS_PORT:-9090}/targets   (Prometheus, scraping every service)
Stop all:  make down
MSG

step "7. The broken session's timeline, replayed from the event log"
"${MW[@]}" replay --from "$since" --failed
