"""Open licences (开放许可) and licence contracts (实施许可): declarations, take-ups, contracts, royalties."""
