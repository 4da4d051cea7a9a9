"""Log in to the query API and print a few answers (used by `make demo`)."""

from __future__ import annotations

import json
import sys

import httpx


def main(base: str, user: str, password: str) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        login = client.post("/api/v1/auth/login", json={"username": user, "password": password})
        login.raise_for_status()
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        for path in (
            "/api/v1/monitoring/health",
            "/api/v1/monitoring/stats?hours=1",
            "/api/v1/monitoring/sessions/active",
            "/api/v1/monitoring/alerts?limit=3",
        ):
            answer = client.get(path)
            print(f"GET {path} -> {answer.status_code}")
            print(json.dumps(answer.json(), indent=2)[:1500])


if __name__ == "__main__":
    main(*sys.argv[1:4])
