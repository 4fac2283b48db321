"""Demand-to-supply matching: technology demands, the staff matching workspace, saved searches."""
