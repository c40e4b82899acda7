"""The Flask application: verification API, identity and the public page (built up blueprint by blueprint)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ledger.paths import deployment_record_path, rpc_url

from . import health, problems


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. Settings come from the environment (LEDGER_RPC_URL, LEDGER_DEPLOYMENT) unless ``config``
    overrides them, as the tests do."""
    app = Flask(__name__)
    app.config.update(
        LEDGER_RPC_URL=rpc_url(),
        LEDGER_DEPLOYMENT=str(deployment_record_path()),
        CHAIN_TIMEOUT_SECONDS=2.0,
    )
    app.config.update(config or {})
    app.json.ensure_ascii = False
    problems.init_app(app)
    app.register_blueprint(health.bp)
    return app
