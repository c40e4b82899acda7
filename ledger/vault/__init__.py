"""The vault: the personal values and salts behind the chain's commitments, in a database of its own (VAULT_URL,
``var/vault.db``), sealed with AES-GCM under a key kept outside any database (``LEDGER_VAULT_KEY`` or
``var/vault.key``).

It is the one thing the chain cannot give back, so it shares nothing with the read model: ``ledger reindex`` and a
deleted ``var/ledger.db`` never reach it. This package knows no certificate: it seals, indexes, rotates, backs up
and moves rows; ``ledger.certificates.vault`` says what the rows hold.
"""
