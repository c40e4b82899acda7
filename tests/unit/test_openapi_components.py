"""The OpenAPI document's component schemas are the ones its operations use: APIFlask's default error schemas
(``HTTPError``, ``ValidationError``, copies of ``Problem`` that no response referred to once every error was
documented as a problem) are gone, and no reference points at a schema that is not there."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from api import create_app


def served_spec(tmp_path: Path) -> dict[str, Any]:
    app = create_app({"TESTING": True, "LEDGER_DEPLOYMENT": str(tmp_path / "none.json"),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}"})  # fmt: skip
    spec: dict[str, Any] = app.test_client().get("/api/v1/openapi.json").json
    return spec


def test_every_component_schema_is_used_and_every_reference_resolves(tmp_path: Path) -> None:
    spec = served_spec(tmp_path)
    schemas = set(spec["components"]["schemas"])
    referenced = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(spec)))
    assert not {"HTTPError", "ValidationError"} & schemas
    assert schemas == referenced and "Problem" in schemas


def test_every_error_response_is_the_problem_schema(tmp_path: Path) -> None:
    spec = served_spec(tmp_path)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    content = response["content"]
                    assert content == {
                        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }, (path, method, status)
