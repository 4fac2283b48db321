"""Business operations: the only writers of market state. Each runs in one transaction."""
