"""The register: the facts of each right, fed only by register data (the importer of records and the
register-event feed), the history of those facts, and the claims that join organisations to their
holdings. Users write none of it; the simulated registries of the flows change holders through it."""
