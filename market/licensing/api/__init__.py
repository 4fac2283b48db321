"""The licensing API: open licences, licences and their royalties, licence contracts, annual fees."""
