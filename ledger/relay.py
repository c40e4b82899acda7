"""Relaying regulators' signed acts, to either registry: check as the chain will, then send from the relayer's own
account.

The wallet's act table (``wallet.typed_acts.ACTS``) says which registry performs an act and which function takes
it signed; the wallet checks what needs no chain (domain, deadline, signature); the contract itself then judges
role, jurisdiction, nonce and business rules through an eth_call, so nothing of those rules is re-implemented
here. Refusals about the signature arrive as the wallet's named errors; business refusals (a revoked certificate,
a reused number) as the contract's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from ledger import errors
from ledger.chain.transactions import TransactionSender
from wallet import errors as refusals
from wallet.signatures import Web3ContractWallets
from wallet.typed_acts import ACTS, Domain, Registry, SignedAct, act_message, typed_data, verify_act

T = TypeVar("T")


class ActRelay:
    """Relays signed acts to the registries of one deployment from one relayer account (which pays gas and holds
    no role)."""

    def __init__(self, registries: Mapping[Registry, Contract], relayer: TransactionSender) -> None:
        self.registries = dict(registries)
        self.relayer = relayer
        self._chain_id = relayer.w3.eth.chain_id
        self._wallets = Web3ContractWallets(relayer.w3)

    def domain(self, act: str) -> Domain:
        """The domain ``act`` must be signed in: this chain and the registry that performs it."""
        return Domain.for_act(act, self._chain_id, self.registries[ACTS[act].registry].address)

    def check(self, signed: SignedAct) -> str:
        """The signer, if the chain would accept this act now; else the specific refusal. Sends nothing."""
        signer = self._verify_offline(signed)
        self._judged(self.relayer.simulate, signed)
        return signer

    def prepare(self, act: str, signer: str, fields: Mapping[str, Any], valid_for: int) -> dict[str, Any]:
        """The typed data ``signer`` signs for ``act`` now: the contract that takes it as the domain, the signer's
        next nonce there, a deadline ``valid_for`` seconds after the chain's time. Reads the chain, sends nothing."""
        if act not in ACTS:
            raise refusals.MalformedMessage(f"unknown act {act!r}; known: {', '.join(ACTS)}")
        nonce = self.registries[ACTS[act].registry].functions.nonces(to_checksum_address(signer)).call()
        now = self.relayer.w3.eth.get_block("latest")["timestamp"]
        return typed_data(act, self.domain(act), act_message(act, dict(fields), nonce, now + valid_for))

    def relay(self, signed: SignedAct) -> HexBytes:
        """Checks offline, then sends; the contract judges once, in the send's gas estimate. Returns the
        transaction hash without waiting for it to be mined."""
        self._verify_offline(signed)
        return self._judged(self.relayer.send, signed)

    def _verify_offline(self, signed: SignedAct) -> str:
        now = self.relayer.w3.eth.get_block("latest")["timestamp"]
        return verify_act(signed, self.domain(signed.act), now, contract_wallets=self._wallets)

    def _judged(self, run: Callable[[ContractFunction], T], signed: SignedAct) -> T:
        """``run`` (an eth_call or a send) on the act's call, the contract's refusals renamed as the wallet's."""
        spec = ACTS[signed.act]
        function = self.registries[spec.registry].get_function_by_name(spec.function)
        try:
            return run(function(*signed.arguments(), signed.delegation()))
        except errors.ContractRevert as refused:
            raise _as_refusal(refused, signed) from refused


def _as_refusal(refused: errors.ContractRevert, signed: SignedAct) -> Exception:
    """The contract's signature-related refusals as the wallet names them; any other refusal unchanged."""
    signer = signed.signer
    if isinstance(refused, errors.Unauthorized | errors.WrongJurisdiction):
        return refusals.MissingRole(f"{signer} may not {signed.act.lower()} this certificate: {refused}")
    if isinstance(refused, errors.InvalidAccountNonce):
        current = refused.fields.get("currentNonce")
        if current is not None and signed.message["nonce"] > current:
            return refusals.WrongNonce(f"{signer}'s next nonce is {current}, the act was signed with a later one")
        return refusals.Replayed(
            f"nonce {signed.message['nonce']} of {signer} was already used: the act was relayed, or its signer "
            "invalidated it"
        )
    if isinstance(refused, errors.SignatureExpired):
        return refusals.Expired(f"the act's deadline passed on chain: {refused}")
    if isinstance(refused, errors.InvalidSignature):
        return refusals.SignerMismatch(f"the registry does not accept this signature as {signer}'s")
    return refused
