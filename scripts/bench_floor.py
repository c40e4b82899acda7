"""The framework floor of ``make bench-verify``: a bare Flask app that answers a certificate lookup with one SELECT
by number on the same read model, and nothing else (no validation, no rate limit, no history, no chain). Served by
the same gunicorn settings under the same wrk load as the API, it says how much of a lookup's cost is Flask,
gunicorn, SQLAlchemy and the database, and so what ratio the API's own work leaves (``ratio`` in verify.json).
``driver`` is the same SELECT on the database driver's own cursor, as the API's hot lookup runs its statement
(``queries.certificate_row``): the floor with SQLAlchemy Core's execution taken out (``floor_driver_rps``)."""

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


driver = Flask(__name__)
DRIVER_LOOKUP = "SELECT * FROM certificates WHERE number = ?"  # SQLite's qmark style: the benchmark's read model


@driver.get("/api/v1/certificates/<number>")
def certificate_by_driver(number: str) -> Response | tuple[Response, int]:
    with engine.connect() as connection:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(DRIVER_LOOKUP, (number,))
            names = [column[0] for column in cursor.description]
            found = cursor.fetchone()
        finally:
            cursor.close()
    if found is None:
        return jsonify(status=404), 404
    return jsonify(dict(zip(names, found, strict=True)))
