"""IP finance beyond one loan: royalty-backed securitisation (its waterfall and pre-issue simulation)."""
