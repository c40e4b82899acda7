"""The OpenAPI document as an integrator reads it, without a chain: every operation's description is its whole
docstring (APIFlask had cut the first line away, so descriptions began mid-sentence)."""

from __future__ import annotations

import inspect
from pathlib import Path

from api import create_app


def test_every_description_is_the_whole_docstring_of_its_operation(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "LEDGER_DEPLOYMENT": str(tmp_path / "none.json"),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}"})  # fmt: skip
    spec = app.test_client().get("/api/v1/openapi.json").json
    described = {op["operationId"]: op.get("description") for ops in spec["paths"].values() for op in ops.values()}
    checked = 0
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method in rule.methods or ():
            operation = f"{method.lower()}_{rule.endpoint.replace('.', '_')}"
            if operation in described and view.__doc__:
                assert described[operation] == inspect.cleandoc(view.__doc__), operation
                checked += 1
    assert checked >= 20


def test_every_operation_documents_the_method_fault_and_rate_limit_answers(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "LEDGER_DEPLOYMENT": str(tmp_path / "none.json"),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}"})  # fmt: skip
    spec = app.test_client().get("/api/v1/openapi.json").json
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "405", "429", "500", "503"} <= set(responses), (path, method)
            assert set(responses["429"]["headers"]) >= {"X-RateLimit-Limit", "X-RateLimit-Remaining"}
    assert "2 MiB" in spec["paths"]["/api/v1/acts"]["post"]["responses"]["413"]["description"]
