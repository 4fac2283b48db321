"""Check the ledger: every transaction balances, the books sum to zero, escrow accounts match their state."""

from django.core.management.base import BaseCommand, CommandError

from market.services.ledger import ledger_problems


class Command(BaseCommand):
    help = "检查账本一致性 / Check that the double-entry ledger balances; prints one line per problem."

    def handle(self, *args, **options):
        problems = ledger_problems()
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"{len(problems)} ledger problem(s)")
        self.stdout.write(self.style.SUCCESS("账本平衡 / The ledger balances"))
