"""What a receiver written for Alertmanager's webhook (version 4) expects of a request body.

The fields and types of Alertmanager's ``notify/webhook`` ``Message`` (the template ``Data``
plus ``version``, ``groupKey`` and ``truncatedAlerts``) and of each template ``Alert``.
"""

from __future__ import annotations

import json
import re
from typing import Any

MESSAGE: dict[str, type] = {
    "version": str,
    "groupKey": str,
    "truncatedAlerts": int,
    "receiver": str,
    "status": str,
    "alerts": list,
    "groupLabels": dict,
    "commonLabels": dict,
    "commonAnnotations": dict,
    "externalURL": str,
}
ALERT: dict[str, type] = {
    "status": str,
    "labels": dict,
    "annotations": dict,
    "startsAt": str,
    "endsAt": str,
    "generatorURL": str,
    "fingerprint": str,
}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
STATUSES = ("firing", "resolved")


def _typed(where: str, doc: dict[str, Any], fields: dict[str, type]) -> list[str]:
    return [
        f"{where}{name}: expected {kind.__name__}"
        for name, kind in fields.items()
        if not isinstance(doc.get(name), kind) or isinstance(doc.get(name), bool)
    ]


def _string_map(where: str, value: dict[str, Any]) -> list[str]:
    return [f"{where}: {k!r} is not text" for k, v in value.items() if not isinstance(v, str)]


def _alert(n: int, alert: Any) -> list[str]:
    where = f"alerts[{n}]."
    if not isinstance(alert, dict):
        return [f"alerts[{n}]: not an object"]
    problems = _typed(where, alert, ALERT)
    if problems:
        return problems
    problems += _string_map(where + "labels", alert["labels"])
    problems += _string_map(where + "annotations", alert["annotations"])
    if alert["status"] not in STATUSES:
        problems.append(f"{where}status: {alert['status']!r}")
    problems += [
        f"{where}{k}: not RFC 3339" for k in ("startsAt", "endsAt") if not RFC3339.match(alert[k])
    ]
    if not re.fullmatch(r"[0-9a-f]{16}", alert["fingerprint"]):
        problems.append(f"{where}fingerprint: {alert['fingerprint']!r}")
    return problems


def problems(body: bytes) -> list[str]:
    """Everything an Alertmanager webhook receiver would not accept in ``body`` (none: ok)."""
    try:
        doc = json.loads(body)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    if not isinstance(doc, dict):
        return ["not an object"]
    found = _typed("", doc, MESSAGE)
    if found:
        return found
    if doc["version"] != "4":
        found.append(f"version {doc['version']!r}")
    if doc["status"] not in STATUSES:
        found.append(f"status {doc['status']!r}")
    for name in ("groupLabels", "commonLabels", "commonAnnotations"):
        found += _string_map(name, doc[name])
    for n, alert in enumerate(doc["alerts"]):
        found += _alert(n, alert)
    return found


def judge(_path: str, body: bytes) -> int | None:
    """A receiver's verdict: 400 for a body of the wrong shape, else the usual answer."""
    return 400 if problems(body) else None
