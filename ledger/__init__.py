"""The planning-qualification ledger in Python. Sub-packages by concern, imports pointing downwards:

- ``chain``: talking to a node (connection, ABI, artifacts, transactions and reverts, deployment, local chain,
  event decoding); knows nothing of certificates.
- ``store``: the read model's database (engine and migrations, its tables, single-use nonces).
- ``vault``: the vault's own database, its rows sealed under a key kept outside it (keys, rotation, backups).
- ``certificates``: the certificate registry's domain (vocabulary, identifiers, documents, client, projection,
  queries, bulk import).
- ``credit``: credit supervision beside it (records, grading model, lists, inspections).
- ``rules``: versioned rule sets (staffing, credit grading).
- ``index``: the indexer that follows both registries into the read model through the features' projections.
- ``relay`` (signed acts judged by the chain, then sent), ``wiring`` (the one composition root), ``settings``,
  ``errors`` (the one error tree) and ``cli``.
"""
