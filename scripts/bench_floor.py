"""The framework floor of ``make bench-verify``: a bare Flask app that answers a certificate lookup with one SELECT
by number on the same read model, and nothing else (no validation, no rate limit, no history, no chain). Served by
the same gunicorn settings under the same wrk load as the API, it says how much of a lookup's cost is Flask,
gunicorn, SQLAlchemy and the database, and so what ratio the API's own work leaves (``ratio`` in verify.json)."""

from __future__ import annotations

import os

from flask import Flask, Response, jsonify
from sqlalchemy import bindparam, create_engine, text

engine = create_engine(os.environ["DATABASE_URL"])
LOOKUP = text("SELECT * FROM certificates WHERE number = :number").bindparams(bindparam("number"))
app = Flask(__name__)


@app.get("/api/v1/certificates/<number>")
def certificate(number: str) -> Response | tuple[Response, int]:
    with engine.connect() as connection:
        row = connection.execute(LOOKUP, {"number": number}).mappings().first()
    if row is None:
        return jsonify(status=404), 404
    return jsonify(dict(row))
