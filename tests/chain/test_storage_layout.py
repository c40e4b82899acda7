"""The verifier's layout constants are the compiler's: a contract change that moves a slot or a field fails here,
instead of the verifier misreading words in silence."""

from __future__ import annotations

from ledger.certificates.storage_proofs import compiled_layout, layout_source
from wallet.storage_proof import LAYOUT


def test_the_verifiers_constants_are_the_compiled_layout() -> None:
    assert compiled_layout() == LAYOUT


def test_the_layout_names_the_build_it_was_read_from() -> None:
    source = layout_source()
    assert source.artifact == "contracts/CertificateRegistry.sol/CertificateRegistry.json"
    assert source.source.endswith("contracts/CertificateRegistry.sol") and source.solc.startswith("0.8.28")
