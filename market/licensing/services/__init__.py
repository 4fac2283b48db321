"""The licensing operations: declarations and take-ups, licence contracts, royalties."""
