from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from market.models import LedgerEntry
from market.transfers import services as deals

from ..factories import ListingFactory
from .deal_steps import advance


def test_check_ledger_passes_on_balanced_books_and_names_a_broken_transaction(holder, buyer, staff, capsys):
    listing = ListingFactory(organisation=holder.organisation, created_by=holder)
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price="1000")
    advance(deal, to="paid", seller=holder, buyer=buyer, staff=staff)
    call_command("check_ledger")
    assert "账本平衡" in capsys.readouterr().out
    entry = LedgerEntry.objects.filter(amount__gt=0).first()
    LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("999.99"))
    with pytest.raises(CommandError):
        call_command("check_ledger")
    out = capsys.readouterr().out
    assert f"transaction {entry.transaction_id} does not balance: -0.01" in out
    assert "escrow ZT-" in out
