"""A tender platform's integration written from the served OpenAPI document alone (issue 16): a Python client is
generated from `/api/v1/openapi.json` with openapi-python-client during the test run, imported, and driven through
lookups (now, revalidated, and at an instant), a batch, search to its last page, a firm, a planner, credit and a
list, Sign-In with Ethereum with the bearer token sent as the spec's security scheme says, and an act prepared,
signed with eth-account and relayed until it is mined and indexed. Every response also passes a check against the
same document: a status it declares, its media type, its schema (formats included), and every header an
integrator reads (rate limits, validators, CORS, authentication) declared for that response."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import pkgutil
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import jsonschema_rs
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import Served
from wallet.devkeys import dev_account

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
# the dossier upload's file types are bytes to a client; no formatter runs over the generated code
GENERATOR_CONFIG = {
    "post_hooks": [],
    "content_type_overrides": {
        kind: "application/octet-stream" for kind in ("application/pdf", "image/png", "image/jpeg")
    },
}
READ_HEADERS = ("etag", "cache-control", "retry-after", "www-authenticate", "x-ratelimit-", "access-control-")
"""The response headers an integrator acts on: each one sent must be declared for the response that sends it."""
ORIGIN = "https://tender.example"  # a tender platform's web front end: the public reads answer it with CORS headers
_generated: dict[str, ModuleType] = {}  # by the spec's digest: one generation per document, not per test


def generated_client(spec: dict[str, Any], folder: Path) -> ModuleType:
    """The client openapi-python-client writes for ``spec``, imported; a warning (an operation or model it could
    not generate from the document) fails the test, as it would leave an integrator without that call."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    if digest in _generated:
        return _generated[digest]
    package = f"ledger_api_{digest}"
    (folder / "openapi.json").write_text(json.dumps(spec))
    (folder / "config.json").write_text(json.dumps(GENERATOR_CONFIG))
    run = subprocess.run(
        [str(GENERATOR), "generate", "--path", "openapi.json", "--config", "config.json", "--meta", "none",
         "--output-path", package],
        cwd=folder, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0 and "warning" not in (run.stdout + run.stderr).lower(), run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    _generated[digest] = importlib.import_module(package)
    return _generated[digest]


@dataclass
class SpecCheck:
    """Holds every response the client receives to the document it was generated from."""

    spec: dict[str, Any]
    checked: list[str] = field(default_factory=list)
    _validators: dict[tuple[str, ...], Any] = field(default_factory=dict)

    def route(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        """The documented operation a request is for, a literal path before a templated one."""
        for template in sorted(self.spec["paths"], key=lambda p: p.count("{")):
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            operation = self.spec["paths"][template].get(method)
            if operation is not None and re.match(pattern, path):
                return template, operation
        raise AssertionError(f"{method.upper()} {path} is not in the document")

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        method, path, status = response.request.method.lower(), response.request.url.path, str(response.status_code)
        template, operation = self.route(method, path)
        where = f"{method.upper()} {template} → {status}"
        assert status in operation["responses"], f"{where}: status not documented"
        answer = operation["responses"][status]
        media = response.headers.get("content-type", "").partition(";")[0]
        if not answer.get("content"):
            assert not response.content, f"{where}: a body the document does not declare"
        else:
            assert media in answer["content"], f"{where}: {media} sent, {sorted(answer['content'])} declared"
            validator = self._validators.get((template, method, status, media))
            if validator is None:
                schema = {**answer["content"][media]["schema"], "components": self.spec["components"]}
                validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
                self._validators[(template, method, status, media)] = validator
            errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(
                response.json())]  # fmt: skip
            assert not errors, f"{where}: the body does not match its schema: {errors[:5]}"
        declared = {name.lower(): header for name, header in answer.get("headers", {}).items()}
        for name, value in response.headers.items():
            if name.lower().startswith(READ_HEADERS):
                assert name.lower() in declared, f"{where}: header {name} sent, not declared"
                if declared[name.lower()]["schema"].get("type") == "integer":
                    assert value.isdigit(), f"{where}: header {name}: {value!r} is not an integer"
        self.checked.append(where)


@dataclass
class Integrator:
    """The generated package, a client of the served API whose responses are checked, and the document."""

    package: ModuleType
    client: Any
    check: SpecCheck

    def call(self, operation_id: str, client: Any = None, **arguments: Any) -> Any:
        """The generated function for ``operation_id`` (each is a module named after it), called."""
        api = importlib.import_module(f"{self.package.__name__}.api")
        for tag in pkgutil.iter_modules(api.__path__):
            module = importlib.import_module(f"{api.__name__}.{tag.name}")
            if (module_path := Path(module.__path__[0]) / f"{operation_id}.py").exists():
                function = importlib.import_module(f"{module.__name__}.{module_path.stem}").sync_detailed
                return function(client=client or self.client, **arguments)
        raise AssertionError(f"no generated function {operation_id}")

    def model(self, name: str, wire: dict[str, Any]) -> Any:
        """A request body as the generated model ``name``, from its wire JSON."""
        return getattr(self.package.models, name).from_dict(wire)

    def client_of(self, origin: str, **arguments: Any) -> Any:
        """Another generated client, of the API at ``origin``, its responses checked as well."""
        return self.package.Client(base_url=origin, raise_on_unexpected_status=True,
                                   httpx_args={"event_hooks": {"response": [self.check]}}, **arguments)  # fmt: skip

    def authenticated(self, path: str, method: str, token: str) -> Any:
        """A client that sends ``token`` as the operation's security requirement names it."""
        (requirement,) = self.check.spec["paths"][path][method]["security"]
        (scheme,) = (self.check.spec["components"]["securitySchemes"][name] for name in requirement)
        assert (scheme["type"], scheme["scheme"].lower()) == ("http", "bearer"), scheme
        return self.package.AuthenticatedClient(
            base_url=self.check.spec["servers"][0]["url"], token=token, prefix="Bearer",
            raise_on_unexpected_status=True, httpx_args={"event_hooks": {"response": [self.check]}},
        )  # fmt: skip


@contextmanager
def serving(app_for: Callable[[str], Flask]) -> Iterator[str]:
    """The app ``app_for(origin)`` makes, served over HTTP on a free local port: its origin."""
    app: list[Flask] = []
    server = make_server("127.0.0.1", 0, lambda environ, start: app[0](environ, start))
    origin = f"http://127.0.0.1:{server.server_port}"
    app.append(app_for(origin))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def integrator(served: Served, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Integrator]:
    """The API served over HTTP at its public origin, and a client generated from the document it serves."""
    with serving(lambda origin: served.app(PUBLIC_ORIGIN=origin).application) as origin:
        spec = httpx.get(f"{origin}/api/v1/openapi.json").json()
        assert spec["servers"][0]["url"] == origin
        package = generated_client(spec, tmp_path_factory.mktemp("client"))
        check = SpecCheck(spec)
        integrator = Integrator(package, None, check)
        with integrator.client_of(origin, headers={"Origin": ORIGIN}) as client:
            integrator.client = client
            yield integrator
    assert check.checked


def test_lookups_a_batch_search_to_the_end_a_firm_a_planner_and_credit(served: Served, integrator: Integrator) -> None:
    call = integrator.call
    firm_number, planner_number = served.firms[0][1]["number"], served.planners[0][1]["number"]
    lookup = call("get_certificates_get_certificate", number=firm_number)
    assert lookup.status_code == 200 and lookup.parsed.status.value == "ACTIVE" and lookup.parsed.valid
    assert lookup.headers["Access-Control-Allow-Origin"] == "*"
    again = call("get_certificates_get_certificate", number=firm_number, if_none_match=lookup.headers["ETag"])
    assert again.status_code == 304

    instant = dt.datetime.fromtimestamp(served.deployed.w3.eth.get_block("latest")["timestamp"], dt.UTC)
    then = call("get_certificates_get_certificate", number=firm_number, at=instant)
    assert then.status_code == 200 and then.parsed.at == instant and then.parsed.status.value == "ACTIVE"
    before = call("get_certificates_get_certificate", number=firm_number, at=dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
    assert before.status_code == 404 and before.parsed.type_ == "/problems/not-yet-issued"

    batch = call("post_certificates_verify", body=integrator.model("VerifyRequest", {
        "numbers": [firm_number, planner_number, "自资规甲0000000"], "at": instant.isoformat()}))  # fmt: skip
    assert [r.found for r in batch.parsed.results] == [True, True, False]

    seen, cursor, pages = [], None, 0
    while True:
        page = call("get_certificates_search", limit=3, **({"cursor": cursor} if cursor else {}))
        seen += [item.number for item in page.parsed.items]
        pages += 1
        cursor = page.parsed.next_ if isinstance(page.parsed.next_, str) else None
        if cursor is None:
            break
    issued = [request["number"] for _, request in served.firms] + [request["number"] for _, request, _ in
                                                                   served.planners]  # fmt: skip
    assert sorted(seen) == sorted(issued) and pages == -(-len(issued) // 3)

    credit_code = lookup.parsed.holder.credit_code
    firm = call("get_registrants_get_firm", credit_code=credit_code)
    assert firm.status_code == 200 and firm_number in [c.number for c in firm.parsed.certificates]
    planner = call("get_registrants_get_planner", registration_number=planner_number)
    assert planner.status_code == 200 and planner.parsed.registration.number == planner_number
    credit = call("get_credit_get_credit", credit_code=credit_code)
    assert credit.status_code == 200 and credit.parsed.credit_code == credit_code
    assert call("get_credit_get_list", name="yellow").status_code == 200
    unknown = call("get_registrants_get_firm", credit_code="911100000000000000")
    assert unknown.status_code == 404 and unknown.parsed.type_ == "/problems/firm-not-found"


def test_sign_in_with_ethereum_and_the_bearer_token_of_the_security_scheme(served: Served,
                                                                          integrator: Integrator) -> None:  # fmt: skip
    """The message is written as EIP-4361 says from what the nonce answer gives, signed as the spec says
    (EIP-191 `personal_sign`), and the token is sent where the operation's security requirement puts it."""
    account = Account.create()
    nonce = integrator.call("post_auth_nonce").parsed
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    message = (
        f"{nonce.domain} wants you to sign in with your Ethereum account:\n{account.address}\n\n"
        f"Sign in to check qualifications for a tender.\n\nURI: {nonce.uri}\nVersion: 1\nChain ID: {nonce.chain_id}\n"
        f"Nonce: {nonce.nonce}\nIssued At: {issued}"
    )
    signature = "0x" + bytes(Account.sign_message(encode_defunct(text=message), account.key).signature).hex()
    credentials = integrator.model("LoginRequest", {"message": message, "signature": signature})
    login = integrator.call("post_auth_login", body=credentials)
    assert login.status_code == 200 and login.parsed.address == account.address
    anonymous = integrator.call("get_auth_me")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"] == "Bearer"
    signed_in = integrator.authenticated("/api/v1/auth/me", "get", login.parsed.token)
    me = integrator.call("get_auth_me", client=signed_in)
    assert me.status_code == 200 and me.parsed.address == account.address

    number = served.firms[0][1]["number"]  # a lookup takes a token too; one it refuses is a documented 401
    assert integrator.call("get_certificates_get_certificate", client=signed_in, number=number).status_code == 200
    forged = integrator.authenticated("/api/v1/auth/me", "get", "forged")
    refused = integrator.call("get_certificates_get_certificate", client=forged, number=number)
    assert refused.status_code == 401 and refused.parsed.type_ == "/problems/invalid-token"


def test_an_act_prepared_signed_by_eth_account_relayed_mined_and_indexed(served: Served,
                                                                         integrator: Integrator) -> None:  # fmt: skip
    """What can be signed comes from `act-types` (the reason by its label), the typed data from `acts/prepare`,
    the signature from eth-account's EIP-712 encoding; the relayed act is followed by its status URL."""
    ministry = dev_account("ministry", 31337)  # a regulator's own key: the API never holds it
    number = served.firms[0][1]["number"]
    certificate = integrator.call("get_certificates_get_certificate", number=number).parsed
    (suspend,) = (a for a in integrator.call("get_acts_act_types").parsed.acts if a.act == "Suspend")
    (reason,) = (r for r in suspend.reasons if r.label == "暂扣（行政处罚）")
    prepared = integrator.call("post_acts_prepare_act", body=integrator.model("PrepareIn", {
        "act": "Suspend", "signer": ministry.address, "fields": {"id": certificate.id, "reason": reason.code},
        "validFor": 600}))  # fmt: skip
    assert prepared.status_code == 200, prepared.content
    typed = prepared.parsed.typed_data.to_dict()
    signed = Account.sign_message(encode_typed_data(full_message=typed), ministry.key)
    body = {**prepared.parsed.signed_act.to_dict(), "signature": "0x" + bytes(signed.signature).hex()}
    accepted = integrator.call("post_acts_relay_act", body=integrator.model("SignedActIn", body))
    assert accepted.status_code == 202, accepted.content

    served.deployed.w3.eth.wait_for_transaction_receipt(accepted.parsed.tx_hash)
    served.indexer.sync()  # the server's own indexer, which `make up` runs beside the API
    tx_hash = accepted.parsed.status_url.rpartition("/")[2]
    status = integrator.call("get_acts_act_status", tx_hash=tx_hash).parsed
    assert status.state.value == "mined" and status.indexed
    assert [c.status.value for c in status.certificates] == ["SUSPENDED"]
    after = integrator.call("get_certificates_get_certificate", number=number).parsed
    assert after.status.value == "SUSPENDED" and not after.valid
    assert (after.history[-1].reason, after.history[-1].reason_label) == (reason.code, reason.label)


def test_a_refusal_by_the_rate_limit_declares_its_headers(served: Served, integrator: Integrator) -> None:
    number = served.firms[0][1]["number"]
    strict = served.app(RATE_LIMIT_ANONYMOUS="1/minute").application
    with serving(lambda _: strict) as origin, integrator.client_of(origin) as client:
        assert integrator.call("get_certificates_get_certificate", client=client, number=number).status_code == 200
        refused = integrator.call("get_certificates_get_certificate", client=client, number=number)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
