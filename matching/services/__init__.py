"""Matching operations: the only writers of the matching app (one transaction each; effects after commit)."""
