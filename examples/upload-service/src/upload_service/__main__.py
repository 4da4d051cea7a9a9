"""``upload-service``: serve the example on ``127.0.0.1:8100`` (``PORT`` to change it)."""

from __future__ import annotations

import os
from pathlib import Path

import uvicorn

from mediawatch_client import media_monitor
from upload_service.app import create_app
from upload_service.pipeline import Pipeline


def main() -> None:
    root = Path(os.environ.get("UPLOAD_SERVICE_DIR", "temp/upload-service"))
    pipeline = Pipeline(media_monitor, root / "work", root / "storage")
    port = int(os.environ.get("PORT", "8100"))
    uvicorn.run(create_app(pipeline), host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
