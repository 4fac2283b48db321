"""The transfer deal (转让): offer, agreement, publicity, contract, escrow, change of holder, certificate."""
