"""The chain side of the planning-qualification ledger: artifacts, deployment, transactions, local chain."""
