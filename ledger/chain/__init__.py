"""Chain plumbing: node connection, ABI helpers, build artifacts, transaction sending and revert decoding,
deployment records, the local development chain, event decoding. Nothing here knows a certificate."""
