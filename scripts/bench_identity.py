"""``make bench-identity``: how many holder presentations and sign-ins one core verifies per second.

Every verification is what the API will do per request: parse the JSON or message text, check domain,
audience, URI, chain and time, recover the signature, look the certificate's holder and status up in the read
model (SQLite, indexed from a fresh anvil), and spend the single-use nonce in the database. Challenges,
messages and signatures are made before the clock starts. Writes var/bench/identity.json and prints the same
JSON as its last line.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from eth_account import Account
from eth_utils import keccak

from ledger.certificates.queries import holder_lookup
from ledger.chain.deployment import ensure_demo_deployment
from ledger.store.nonces import DatabaseNonces
from ledger.wiring import Ledger
from scripts.bench_support import on_fresh_chain, write_result
from scripts.samples import firm_request
from wallet.devkeys import dev_account
from wallet.instants import timestamp
from wallet.presentation import Presentation, PresentationVerifier, present
from wallet.siwe import SiweMessage, SiweVerifier, sign_in
from wallet.typed_acts import Domain

TARGET_PER_SECOND = 1_000
CERTIFICATES, HOLDERS, VERIFICATIONS = 500, 50, 3_000


def rate(verify: Callable[[int], object], count: int) -> tuple[float, list[float]]:
    """Verifications per second over ``count`` calls, and each call's latency in milliseconds."""
    latencies = []
    started = time.perf_counter()
    for i in range(count):
        before = time.perf_counter()
        verify(i)
        latencies.append((time.perf_counter() - before) * 1000)
    return count / (time.perf_counter() - started), latencies


def p99(latencies: list[float]) -> float:
    return round(statistics.quantiles(latencies, n=100)[98], 3)


def measure(chain_url: str, workdir: Path) -> dict[str, float | int | bool]:
    ledger = Ledger(chain_url, workdir / "deployment.json", f"sqlite:///{workdir / 'ledger.db'}")
    w3 = ledger.w3
    record, _ = ensure_demo_deployment(w3, ledger.record_path, ledger.artifact)
    registry = ledger.registry
    ministry = ledger.sender(dev_account("ministry", record.chain_id))
    holders = [Account.create() for _ in range(HOLDERS)]
    now = w3.eth.get_block("latest")["timestamp"]
    requests = [
        {**firm_request(f"甲-{i:05d}", now=now), "holder": holders[i % HOLDERS].address} for i in range(CERTIFICATES)
    ]
    for start in range(0, CERTIFICATES, 100):
        ministry.transact(registry.functions.issueBatch(requests[start : start + 100]))
    engine = ledger.engine
    ledger.indexer().sync()
    nonces = DatabaseNonces(engine)
    now = int(time.time())
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, from here on

    verifier = PresentationVerifier(
        domain=Domain(record.chain_id, record.address),
        audience="tender.example.cn",
        lookup=holder_lookup(engine),
        nonces=nonces,
    )
    chosen = [random.Random(i).randrange(CERTIFICATES) for i in range(VERIFICATIONS)]
    answers = [  # as a request body carries them: JSON, parsed and checked field by field in the timed part
        json.dumps(present(holders[c % HOLDERS], verifier.challenge(keccak(text=requests[c]["number"]), now)).to_json())
        for c in chosen
    ]
    presentation_rate, presentation_ms = rate(
        lambda i: verifier.verify(Presentation.from_json(json.loads(answers[i])), now), VERIFICATIONS
    )

    domain, uri = "127.0.0.1:5000", "http://127.0.0.1:5000/api/v1/auth/login"
    siwe = SiweVerifier(domain=domain, uri=uri, chain_id=record.chain_id, nonces=nonces)
    users = [Account.create() for _ in range(HOLDERS)]
    sign_ins = []
    for i in range(VERIFICATIONS):
        user = users[i % HOLDERS]
        message = SiweMessage(
            domain=domain, address=user.address, statement="Sign in", uri=uri, chain_id=record.chain_id,
            nonce=siwe.issue_nonce(now), issued_at=timestamp(now), expiration_time=timestamp(now + 300),
        )  # fmt: skip
        sign_ins.append(sign_in(user, message))
    siwe_rate, siwe_ms = rate(lambda i: siwe.verify(*sign_ins[i], now), VERIFICATIONS)

    result: dict[str, float | int | bool] = {
        "presentation_verify_per_s": round(presentation_rate, 1),
        "presentation_p99_ms": p99(presentation_ms),
        "siwe_verify_per_s": round(siwe_rate, 1),
        "siwe_p99_ms": p99(siwe_ms),
        "verifications_each": VERIFICATIONS,
        "certificates_indexed": CERTIFICATES,
        "cores": len(os.sched_getaffinity(0)),
        "nonce_store": "sqlite",
    }
    result["meets_targets"] = min(presentation_rate, siwe_rate) >= TARGET_PER_SECOND
    return result


def main() -> None:
    write_result("identity", on_fresh_chain(measure))


if __name__ == "__main__":
    main()
