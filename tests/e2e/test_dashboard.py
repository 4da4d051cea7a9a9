"""The dashboard in headless Chromium against real processes: sign in, charts and percentiles
drawn from windows like the demo's (10 s tumbling, 30 s hopping by 10 s), a failing stage's
alert and an error record arriving live, 1,000 active sessions paged and filtered, a
session's timeline."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import text

from mediawatch_api.users import add_user
from mediawatch_common.events import (
    Event,
    LogRecorded,
    ResourceSample,
    Stage,
    WindowAggregated,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, producer_config
from mediawatch_store import make_engine
from tests.e2e import seed
from tests.e2e.assets import ensure_chromium, ensure_web_assets
from tests.e2e.stack import environment, services

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "dashboard-e2e-password"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BULK_ACTIVE = 999
STUCK = 12
CHARTS = ("chart-error-rate", "chart-throughput", "chart-p95", "chart-cpu", "chart-memory")
# Pixels of the series colours (charts.js PALETTE) on each chart's canvas.
SERIES_PIXELS = """(ids) => ids.map((id) => {
  const canvas = document.querySelector(`#${id} canvas`);
  if (!canvas) return 0;
  const d = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const palette = [[31,119,180],[214,39,40],[44,160,44],[148,103,189],[255,127,14],[23,190,207]];
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] < 200) continue;
    if (palette.some(([r, g, b]) =>
      Math.abs(d[i] - r) < 24 && Math.abs(d[i + 1] - g) < 24 && Math.abs(d[i + 2] - b) < 24)) n++;
  }
  return n;
})"""


def _produce(producer: EventProducer, topics: Topics, events: list[Event]) -> None:
    for event in events:
        if isinstance(event, ResourceSample):
            producer.produce(topics.resources.name, encode_event(event), key=event.host)
        elif isinstance(event, LogRecorded):
            producer.produce(topics.logs.name, encode_event(event), key=event.producer.service)
        elif isinstance(event, WindowAggregated):
            producer.produce(topics.windows.name, encode_event(event), key=event.stage.label)
        else:
            key = event.session_id  # type: ignore[union-attr]
            producer.produce(topics.pipeline.name, encode_event(event), key=key)
    producer.flush()


def _wait_rows(url: str, schema: str, minimum: dict[str, int], timeout: float = 90.0) -> None:
    engine = make_engine(url, schema, pool_size=1)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as conn:
                counts = {
                    t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in minimum
                }
            if all(counts[t] >= n for t, n in minimum.items()):
                return
            assert time.monotonic() < deadline, f"projection incomplete: {counts}"
            time.sleep(0.5)
    finally:
        engine.dispose()


@pytest.fixture
def dashboard(
    database_url: str, schema: str, topics: Topics, bootstrap: str, tmp_path: Path
) -> Iterator[tuple[str, EventProducer, Topics]]:
    ensure_web_assets()
    engine = make_engine(database_url, schema, pool_size=1)
    with engine.begin() as conn:
        add_user(conn, "oncall", PASSWORD, "admin")
    engine.dispose()
    env = environment(
        os.environ,
        DATABASE_URL=database_url,
        DATABASE_SCHEMA=schema,
        KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        KAFKA_TOPIC_PREFIX=topics.jobs.name.rsplit(".", 1)[0],
        LOG_DIR=str(tmp_path / "logs"),
        LOG_CONSOLE="false",
        PROJECTOR_GROUP_ID=f"e2e-projector-{schema}",
        ALERTER_GROUP_ID=f"e2e-alerter-{schema}",
        API_ENVIRONMENT="production",
        API_JWT_SECRET="e2e-secret-" + uuid.uuid4().hex,
        TRANSCODER_STORAGE_DIR=str(tmp_path / "storage"),
        HEALTH_CHECK_TEMP_DIR=str(tmp_path / "tmp"),
        API_STREAM_POLL_SECONDS="0.5",
    )
    now = datetime.now(UTC)
    history: list[Event] = [
        *seed.samples(now, ("worker-1", "worker-2"), 60),
        # What the demo's aggregator produces (AGGREGATOR_WINDOWS=10,30/10): no 60 s windows.
        *seed.windows(now, 30, size=10),
        *seed.windows(now, 30, size=30, hop=10),
    ]
    for i in range(6):
        fail = Stage.COMPRESSION if i == 2 else None
        start = now - timedelta(minutes=50 - 8 * i)
        history += seed.session(f"demo-{i}", start, f"worker-{i % 2 + 1}", fail)
    history += seed.session("demo-active", now - timedelta(seconds=20), "worker-1", stop_after=3)
    for n in range(BULK_ACTIVE):  # 999 more in progress (1,000 with demo-active), 12 stuck
        age = timedelta(minutes=45) if n < STUCK else timedelta(seconds=30 + n % 500)
        stage = list(Stage)[n % 7]
        history.append(seed.active(f"bulk-{n:04d}", now - age, f"bulk-user-{n % 40}", stage))
    producer = EventProducer(producer_config(bootstrap, "e2e-seed"))
    _produce(producer, topics, history)
    for offset in range(4):  # what consumers dead-lettered (poison would log errors too)
        headers = [
            ("mw-reason", b"DecodeError: bad_marker: 6e6f"),
            ("mw-origin-topic", topics.pipeline.name.encode()),
            ("mw-origin-partition", b"0"),
            ("mw-origin-offset", str(offset).encode()),
            ("mw-consumer-group", b"e2e"),
            ("mw-failed-at", now.isoformat().encode()),
        ]
        producer.produce(topics.deadletter.name, b"not an event", key="poison", headers=headers)
    producer.flush()
    with services(env, tmp_path) as url:
        _wait_rows(
            database_url,
            schema,
            {
                "window_results": 2 * 180 * 7,
                "resource_samples": 120,
                "sessions": 7 + BULK_ACTIVE,
                "alerts": 1,
                "dead_letters": 4,
            },
        )
        yield url, producer, topics


def _sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/")
    expect(page).to_have_url(f"{url}/login")
    page.get_by_label("User name").fill("oncall")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").press("Enter")
    expect(page).to_have_url(f"{url}/")
    expect(page.locator('body[data-loaded="24"]')).to_be_attached(timeout=30000)


def _percentiles_and_charts(page: Page) -> None:
    """The stage charts and the percentile table show the 10 s windows, the only ones."""
    expect(page.locator("#window-size")).to_have_value("10")
    rows = page.locator("#percentiles tr")
    expect(rows).to_have_count(7)
    for row in rows.all():
        assert row.locator("td").nth(1).inner_text().endswith(" s"), row.inner_text()
    # The range picker by keyboard: from "24 h" one step left is "Last hour".
    page.get_by_role("radio", name="24 h").focus()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("radio", name="Last hour")).to_be_checked()
    expect(page.locator('body[data-loaded="1"]')).to_be_attached(timeout=30000)
    drawn = page.evaluate(SERIES_PIXELS, list(CHARTS))
    assert all(n > 50 for n in drawn), dict(zip(CHARTS, drawn, strict=True))


def _summary(first: str, last: str, total: str, stuck: int) -> str:
    return f"{first}\u2013{last} of {total}, {stuck} stuck"


def _sessions_panel(page: Page) -> None:
    """1,000 active sessions: one bounded page, stuck first, the totals, paging, filters."""
    summary = page.locator("#sessions-summary")
    expect(summary).to_have_text(_summary("1", "25", "1,000", STUCK))
    rows = page.locator("#sessions tr")
    expect(rows).to_have_count(25)
    expect(page.locator("#sessions tr.stuck")).to_have_count(STUCK)
    expect(rows.first).to_have_class("stuck")
    card = page.locator("section[aria-labelledby=sessions-title]").bounding_box()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert card is not None
    print(f"1,000 active sessions: page {height} px tall, sessions card {card['height']:.0f} px")
    assert card["height"] < 1300, card
    assert height < 4500, height

    first = rows.first.locator("a").inner_text()
    page.get_by_role("button", name="Next").press("Enter")
    expect(summary).to_have_text(_summary("26", "50", "1,000", STUCK))
    assert rows.first.locator("a").inner_text() != first
    page.get_by_role("button", name="Previous").press("Enter")
    expect(summary).to_have_text(_summary("1", "25", "1,000", STUCK))

    page.get_by_label("Stuck only").check()
    expect(summary).to_have_text(_summary("1", str(STUCK), str(STUCK), STUCK))
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    page.get_by_label("Stuck only").uncheck()
    page.locator("#sessions-user").fill("user_456")
    expect(summary).to_have_text(_summary("1", "1", "1", 0))


def test_dashboard_live_in_chromium(dashboard: tuple[str, EventProducer, Topics]) -> None:
    url, producer, topics = dashboard
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=ensure_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            _sign_in(page, url)
            assert page.context.cookies()[0]["httpOnly"] or page.context.cookies()[1]["httpOnly"]
            assert "token" not in page.url

            _percentiles_and_charts(page)
            expect(page.locator("#health-checks li").first).to_be_visible(timeout=30000)
            expect(page.locator("#firing li", has_text="demo-2").first).to_be_visible()
            expect(page.locator("#live")).to_have_text("live")
            expect(page.locator("#errors-empty")).to_be_visible()
            expect(page.locator("#deadletters-count")).to_have_text("4")
            dead = page.locator("#deadletters tr", has_text=topics.pipeline.name)
            expect(dead).to_contain_text("DecodeError: bad_marker")
            expect(dead.locator("td").nth(2)).to_have_text("4")

            page.evaluate("window.__sameDocument = true")
            live_id = f"live-{uuid.uuid4().hex[:8]}"
            failing = seed.session(live_id, datetime.now(UTC), "worker-2", Stage.MERGING)
            record = seed.error_record(datetime.now(UTC), "FFmpeg process failed", live_id)
            _produce(producer, topics, [*failing, record])
            arrived = page.locator("#firing li", has_text=live_id)
            expect(arrived).to_be_visible(timeout=30000)
            expect(arrived).to_contain_text("Processing Failed: merging")
            error = page.locator("#errors tr", has_text=live_id)
            expect(error).to_be_visible(timeout=30000)
            expect(error).to_contain_text("FFmpeg process failed (FFMPEG_FAILED)")
            expect(error).to_contain_text("transcoder@worker-2")
            expect(page.locator("#errors-count")).to_have_text("1")
            assert page.evaluate("window.__sameDocument") is True

            _sessions_panel(page)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

            # By keyboard: alerts still arriving above the table may move it under a mouse.
            page.get_by_role("link", name="demo-active").press("Enter")
            expect(page).to_have_url(f"{url}/sessions/demo-active")
            rows = page.locator("#timeline tr")
            expect(rows).to_have_count(5, timeout=15000)
            expect(rows.nth(0)).to_contain_text("StageStarted")
            expect(rows.nth(4)).to_contain_text("preparation")
        finally:
            browser.close()
