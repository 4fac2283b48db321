"""A payment provider simulated inside the platform, replaceable later by a real one."""

import hashlib
from decimal import Decimal


class SimulatedProvider:
    """Accepts every charge and payout; references are derived from the request so replays match."""

    name = "simulated"

    def charge(self, *, payer_code: str, amount: Decimal, reference: str) -> str:
        """Take ``amount`` from the payer's bank account; returns the provider's reference."""
        return "SIM-C-" + hashlib.sha256(f"{payer_code}|{amount}|{reference}".encode()).hexdigest()[:16].upper()

    def payout(self, *, payee_code: str, amount: Decimal, reference: str) -> str:
        """Pay ``amount`` to the payee's bank account; returns the provider's reference."""
        return "SIM-P-" + hashlib.sha256(f"{payee_code}|{amount}|{reference}".encode()).hexdigest()[:16].upper()
