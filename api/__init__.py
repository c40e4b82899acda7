"""The Flask application: the verification API under /api/v1 (OpenAPI 3.1 at /api/v1/openapi.json, browsable at
/api/v1/docs), identity, relayed acts, presentations, health, and the public verification page."""

from __future__ import annotations

import functools
import inspect
import os
from typing import Any

from apiflask import APIFlask
from flask import Request, Response, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix

from ledger.settings import PROJECT_ROOT, data_dir, deployment_record_path, keep_data_private, rpc_url
from ledger.store.engine import database_url
from ledger.vault.database import vault_url

from . import (
    acts,
    applications,
    auth,
    certificates,
    console,
    cors,
    credit,
    dashboard,
    dossiers,
    health,
    json_bodies,
    limits,
    notices_page,
    page,
    portal,
    presentations,
    problem_types,
    problems,
    registrants,
    services,
    templating,
    text_inputs,
    web,
)
from .openapi import PROBLEM_SCHEMA, document_problems, one_schema_per_model, query_parameters_are_text

SWAGGER_UI = PROJECT_ROOT / "node_modules" / "swagger-ui-dist"


def settings_from_environment() -> dict[str, Any]:
    """Every setting, from the environment; the defaults serve the local chain and SQLite under var/."""
    env = os.environ
    return {
        "LEDGER_RPC_URL": rpc_url(),
        "LEDGER_DEPLOYMENT": str(deployment_record_path()),
        "DATABASE_URL": database_url(),
        "VAULT_URL": vault_url(),  # opened only by the console's issuing path; its key from LEDGER_VAULT_KEY(_FILE)
        "CHAIN_TIMEOUT_SECONDS": float(env.get("CHAIN_TIMEOUT_SECONDS", "2")),
        "PUBLIC_ORIGIN": env.get("PUBLIC_ORIGIN", "http://127.0.0.1:5000"),
        "TOKEN_TTL_SECONDS": int(env.get("TOKEN_TTL_SECONDS", "900")),
        "RELAYER_KEY": env.get("LEDGER_RELAYER_KEY"),  # a keystore label; its password from WALLET_PASSWORD(_FILE)
        "RELAYER_ACCOUNT": None,  # or an eth-account LocalAccount, as the tests give
        "RATE_LIMIT_ANONYMOUS": env.get("RATE_LIMIT_ANONYMOUS", "1200/minute"),
        "RATE_LIMIT_SIGNED_IN": env.get("RATE_LIMIT_SIGNED_IN", "12000/minute"),
        "RATE_LIMIT_AUTH": env.get("RATE_LIMIT_AUTH", "10/minute"),
        "RATE_LIMIT_ACCOUNTS": env.get("RATE_LIMIT_ACCOUNTS", ""),
        "RATE_LIMIT_OBJECTIONS": env.get("RATE_LIMIT_OBJECTIONS", "5/hour;20/day"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", f"mmap://{data_dir() / 'ratelimits.mmap'}"),
        "READY_MAX_LAG_BLOCKS": int(env.get("READY_MAX_LAG_BLOCKS", "20")),
        # an answer says chainReachable: false once the indexer has not reached the node for this long (it polls
        # every second); the page then shows its banner
        "CHAIN_SEEN_WITHIN_SECONDS": float(env.get("CHAIN_SEEN_WITHIN_SECONDS", "3")),
        # each worker reads every indexed certificate's verdict fields from the registry on first use
        "VERDICTS_PRELOAD": env.get("VERDICTS_PRELOAD", "1") == "1",
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # origins whose pages may read the public verification endpoints (api.cors): *, a list, or empty for none
        "CORS_ORIGINS": env.get("CORS_ORIGINS", "*"),
    }


def create_app(config: dict[str, Any] | None = None) -> APIFlask:
    """Build the app from the environment, with ``config`` overriding (as the tests do)."""
    keep_data_private()  # the databases, the vault's key, the token secret, the relayer's lock: owner-only
    app = _App(
        __name__,
        title="Planning qualification ledger API",
        version="1",
        spec_path="/api/v1/openapi.json",
        docs_path="/api/v1/docs",
    )
    app.config.update(settings_from_environment())
    app.config.update(
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        VALIDATION_ERROR_STATUS_CODE=400,
        AUTO_OPERATION_ID=True,  # get_certificates_get_certificate …: names a generated client's methods
        VALIDATION_ERROR_SCHEMA=PROBLEM_SCHEMA,
        HTTP_ERROR_SCHEMA=PROBLEM_SCHEMA,
        SWAGGER_UI_CSS="/api/v1/docs/assets/swagger-ui.css",
        SWAGGER_UI_BUNDLE_JS="/api/v1/docs/assets/swagger-ui-bundle.js",
        SWAGGER_UI_STANDALONE_PRESET_JS="/api/v1/docs/assets/swagger-ui-standalone-preset.js",
        DOCS_FAVICON="/api/v1/docs/assets/favicon-32x32.png",
        INFO={"description": (__doc__ or "").strip()},
    )
    app.config.update(config or {})
    # the document names the public origin, not the Host header of whichever request first built it (it is kept)
    app.config["SERVERS"] = [{"url": app.config["PUBLIC_ORIGIN"], "description": "this deployment (PUBLIC_ORIGIN)"}]
    if "API_TOKEN_SECRET" not in app.config:
        app.config["API_TOKEN_SECRET"] = auth.token_secret()
    if app.config["TRUSTED_PROXIES"]:
        # Flask's documented way to wrap the WSGI app in middleware; mypy refuses any assignment to a method
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])  # type: ignore[method-assign]
    services.init_app(app)
    problems.init_app(app)
    limits.init_app(app)
    cors.init_app(app)
    web.init_app(app)
    templating.init_app(app)
    app.security_schemes = auth.SECURITY_SCHEMES
    app.spec_processor(functools.partial(_documented, app))
    for blueprint in (
        certificates.bp, registrants.bp, credit.bp, applications.bp, dossiers.bp, auth.bp, acts.bp, presentations.bp,
        health.bp, page.bp, dashboard.bp, problem_types.bp, web.bp, console.bp, portal.bp, notices_page.bp,
    ):  # fmt: skip
        app.register_blueprint(blueprint)
    app.add_url_rule("/api/v1/docs/assets/<path:name>", "docs_assets", app.doc(hide=True)(_docs_asset))
    json_bodies.init_app(app)
    text_inputs.init_app(app)  # after json_bodies: a JSON body under another media type is 415 first
    _describe_operations(app)
    return app


class _Request(Request):
    """A chunked body names no length, and Werkzeug then cuts it silently at ``max_content_length`` (the truncated
    JSON was a 400, a truncated dossier file would be stored): after reading, one byte more is asked for, which
    raises RequestEntityTooLarge (413) when the body went on beyond the limit."""

    # Werkzeug types get_data by two overloads (bytes or str, by as_text); this one implementation passes either
    # on, which the overloads cannot express.
    def get_data(self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False) -> Any:
        data = super().get_data(cache=cache, as_text=as_text, parse_form_data=parse_form_data)  # type: ignore[call-overload]
        if self.content_length is None:
            self.stream.read(1)
        return data

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        """A body that is not JSON is a ``malformed-json`` problem, with the parser's reason (Flask's own 400 says
        neither what nor why)."""
        json_bodies.malformed(e)


class _App(APIFlask):
    request_class = _Request


def _describe_operations(app: APIFlask) -> None:
    """APIFlask takes a docstring's first line for the summary and the rest for the description; the operations
    here name their summary in ``@doc``, so the whole docstring is their description (it was cut mid-sentence)."""
    for view in app.view_functions.values():
        spec = getattr(view, "_spec", None)
        if spec is not None and spec.get("summary") and not spec.get("description") and view.__doc__:
            spec["description"] = inspect.cleandoc(view.__doc__)


def _documented(app: APIFlask, spec: dict[Any, Any] | str) -> dict[Any, Any] | str:
    """APIFlask hands a spec callback the document as a dict, or as YAML text when SPEC_FORMAT says so; this app
    serves JSON (SPEC_FORMAT's default), whose problems ``document_problems`` documents, whose cross-origin
    operations ``cors.document`` names, and whose nested models ``one_schema_per_model`` publishes once each."""
    if isinstance(spec, str):
        raise TypeError("the problems are documented in the JSON spec only (SPEC_FORMAT 'json')")
    return one_schema_per_model(cors.document(query_parameters_are_text(document_problems(spec)), app))


def _docs_asset(name: str) -> Response:
    """Swagger UI from the npm package swagger-ui-dist: the docs page works without reaching a CDN."""
    return send_from_directory(SWAGGER_UI, name, max_age=86_400)
