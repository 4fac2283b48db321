"""The pledge operations: applications and review, the registry, the loan and its money, monitoring."""
