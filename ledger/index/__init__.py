"""The indexer: follows the registries' events in chain order into the read model, one projection per feature."""
