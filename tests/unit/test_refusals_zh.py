"""Every refusal a person of the console or the portal can meet has a sentence in Chinese."""

from __future__ import annotations

import inspect

from api.refusals_zh import CONTRACT, WALLET, in_chinese
from ledger.errors import REVERTS
from wallet import errors as refusals


def test_every_contract_error_has_a_chinese_sentence() -> None:
    names = set(REVERTS) | {"UnknownRevert"}
    assert names and names - set(CONTRACT) == set()


def test_every_wallet_refusal_has_a_chinese_sentence() -> None:
    """Storage-proof refusals are left out: only a verifier checking a proof on its own machine meets them (``wallet
    verify-proof``), never the console or the portal."""
    codes = {
        cls.code
        for _, cls in inspect.getmembers(refusals, inspect.isclass)
        if issubclass(cls, refusals.WalletError) and not issubclass(cls, refusals.ProofRefused)
    }
    assert len(codes) > 20 and codes - set(WALLET) == set()


def test_a_refusal_is_named_in_chinese_by_its_contract_name_or_wallet_code() -> None:
    assert in_chinese("SameRegulator") == CONTRACT["SameRegulator"]
    assert in_chinese("expired") == WALLET["expired"]
    assert in_chinese("no-such-thing") is None
