"""Regulators' signed acts: checked and relayed to the chain by the API's relayer, then followed by transaction.

The API holds only the relayer's key (it pays gas and has no role); the regulator's authority is the signature,
which the contract itself judges. Several API workers share one relayer key: a file lock serialises their
sends and each send counts the key's nonce from the node again.
"""

from __future__ import annotations

import contextlib
import fcntl
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from apiflask import APIBlueprint
from eth_utils import to_checksum_address
from flask import url_for

from ledger.settings import data_dir
from wallet.reasons import SIGNED_ACT_REASONS, UnknownReason, as_json, check_act_reason
from wallet.typed_acts import ACTS, SIGNED_ACT_FORMAT, SignedAct, typed_data

from .answers.acts import act_status_answer
from .licensing_schemas import ActStatus
from .problems import Problem
from .schemas import ActAccepted, ActTypes, PreparedAct, PrepareIn, SignedActIn
from .services import services

TX_HASH = re.compile(r"0x[0-9a-f]{64}")
bp = APIBlueprint("acts", __name__, url_prefix="/api/v1", tag="Regulators' acts")


@contextlib.contextmanager
def relayer_lock() -> Iterator[None]:
    path = Path(data_dir()) / "relayer.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def send_signed(signed: SignedAct) -> str:
    """Relay ``signed`` from the relayer's key, one worker at a time; the transaction hash (0x-hex)."""
    relay = services().act_relay
    with relayer_lock():
        relay.relayer.recount()
        return relay.relay(signed).to_0x_hex()


def known_reason(act: str, fields: Mapping[str, Any], field: str) -> None:
    """An act's reason code outside its vocabulary is an ``invalid-request`` (400) naming ``field``: the chain would
    record the number, and every history would show it as 其他原因. A reason that is no uint16 does not fit the act's
    type, and is refused as ``malformed-message`` like any such field."""
    reason = fields.get("reason")
    if type(reason) is not int or not 0 <= reason < 2**16:
        return
    try:
        check_act_reason(act, fields)
    except UnknownReason as unknown:
        detail = f"{unknown}: `reasons` in GET /api/v1/act-types says what each code means."
        error = {"in": "json", "field": field, "message": f"one of {unknown.codes}"}
        raise Problem(400, "invalid-request", "Invalid request", detail, errors=[error]) from unknown


@bp.post("/acts")
@bp.input(SignedActIn, arg_name="body")
@bp.output(ActAccepted, status_code=202)
@bp.doc(
    summary="Relay a regulator's signed act (from `wallet sign-act`) to the chain",
    responses={
        400: "Malformed act (`malformed-message`, `malformed-signature`), or a reason code outside the act's "
        "vocabulary (`invalid-request`)",
        401: "Bad signature",
        403: "Signer lacks the role",
        409: "Contract refuses",
    },
)
def relay_act(body: SignedActIn) -> dict[str, Any]:
    """Checked offline (domain, deadline, signature, and a `reason` among the act's codes: `reasons` in
    `GET /api/v1/act-types`), then judged by the contract (role, jurisdiction, nonce, business rules) before
    anything is sent. `202` means sent: follow `statusUrl` until mined."""
    signed = SignedAct.from_json(body.model_dump())
    known_reason(signed.act, signed.message, "typedData.message.reason")
    tx_hash = send_signed(signed)
    return {
        "txHash": tx_hash,
        "act": signed.act,
        "signer": signed.signer,
        "statusUrl": url_for("acts.act_status", tx_hash=tx_hash),
    }


@bp.post("/acts/prepare")
@bp.input(PrepareIn, arg_name="body")
@bp.output(PreparedAct)
@bp.doc(
    summary="The typed data to sign for an act: its domain, the signer's next nonce and a deadline set here",
    responses={
        400: "Unknown act, fields that do not fit its type (`malformed-message`), or a reason code outside "
        "the act's vocabulary (`invalid-request`)"
    },
)
def prepare_act(body: PrepareIn) -> dict[str, Any]:
    """Nothing is sent and nothing is stored: the same request later gives the nonce the chain counts then. Sign
    `typedData` with `eth_signTypedData_v4` and POST `signedAct` with the signature to `/api/v1/acts`. A `reason`
    is one of the act's codes (`reasons` in `GET /api/v1/act-types`)."""
    known_reason(body.act, body.fields, "fields.reason")
    typed = services().act_relay.prepare(body.act, body.signer, body.fields, body.validFor)
    return {
        "typedData": typed,
        "signedAct": {
            "format": SIGNED_ACT_FORMAT,
            "typedData": typed,
            "signer": to_checksum_address(body.signer),
            "signature": None,
        },
    }


@bp.get("/act-types")  # not under /acts/: a transaction hash is /acts/{tx_hash}
@bp.output(ActTypes)
@bp.doc(summary="Every act that can be signed: its EIP-712 types, the contract and domain, its reason codes")
def act_types() -> dict[str, Any]:
    relay = services().act_relay
    return {
        "acts": [
            {
                "act": act,
                "contract": relay.registries[spec.registry].address,
                "function": spec.function,
                "domain": relay.domain(act).as_dict(),
                "types": typed_data(act, relay.domain(act), {})["types"],
                "reasons": as_json(SIGNED_ACT_REASONS[act]) if act in SIGNED_ACT_REASONS else None,
            }
            for act, spec in ACTS.items()
        ]
    }


@bp.get("/acts/<tx_hash>")
@bp.output(ActStatus)
@bp.doc(summary="A relayed act: pending, mined (with the certificates' state) or failed (with the named error)")
def act_status(tx_hash: str) -> dict[str, Any]:
    """Once mined and read by the indexer (`indexed`), `certificates` gives the state of every certificate the
    act touched."""
    tx_hash = tx_hash.lower()
    if not TX_HASH.fullmatch(tx_hash):
        raise Problem(
            400, "invalid-request", "Invalid request", "A transaction hash is 0x and 64 hexadecimal digits.",
            errors=[{"in": "path", "field": "tx_hash", "message": "not a transaction hash"}],
        )  # fmt: skip
    return act_status_answer(services(), tx_hash)
