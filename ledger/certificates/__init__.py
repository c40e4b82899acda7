"""The certificate registry's domain: vocabulary, identifiers (GB 32100, GB 11643, GB/T 2260, GB/T 36904),
certificate documents and the vault of their personal values, the typed client, the projection of its events,
read-model queries and the bulk import."""
