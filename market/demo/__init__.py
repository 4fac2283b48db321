"""Demo data: the patent importer (real records, missing fields generated and marked) and the demo seed.

- ``records``   reads gzip / plain JSONL or CSV line by line and turns each source format into a record
- ``generate``  fills the fields a record lacks, deterministically from the record's key, and names them
- ``holders``   finds or creates the holders' organisations by name, one query per batch
- ``importer``  streams a file into Patent + PatentOwner rows in batches, resumable from a checkpoint
- ``seed``      builds the demo marketplace (organisations, accounts, listings, deals) on top of it
"""
