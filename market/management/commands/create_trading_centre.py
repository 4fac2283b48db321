"""Create a deployment's first trading centre (verified) and its administrator."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from market.regions import City
from market.services.organisations import trading_centre_bootstrap


class Command(BaseCommand):
    help = ("创建交易中心（已认证）及其管理员；之后的银行、评估机构由交易中心在平台上创建并认证 / Create the trading "
            "centre (verified) and its administrator; banks and valuation agencies are then created and verified "
            "by its staff on the platform. The password comes from ZJIP_ADMIN_PASSWORD, else it is asked for.")

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="机构名称 / the centre's name")
        parser.add_argument("--credit-code", required=True, help="统一社会信用代码 / unified social credit code")
        parser.add_argument("--city", default=City.HANGZHOU.value, choices=City.values,
                            help="所在地市代码 / city code (default 3301 杭州)")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-email", default="")

    def handle(self, *args, **options):
        password = os.environ.get("ZJIP_ADMIN_PASSWORD") or self._ask_password()
        try:
            centre = trading_centre_bootstrap(
                name=options["name"], credit_code=options["credit_code"], city=options["city"],
                admin_username=options["admin_username"], admin_password=password, admin_email=options["admin_email"])
        except ValidationError as exc:
            lines = [f"{field}: {message}" for field, messages in exc.message_dict.items() for message in messages]
            raise CommandError("\n".join(lines)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"已创建并认证交易中心“{centre.name}”，管理员 {options['admin_username']} / Created and verified the "
            f"trading centre; its administrator signs in as {options['admin_username']}"))

    def _ask_password(self) -> str:
        first = getpass.getpass("管理员密码 / Administrator password: ")
        if first != getpass.getpass("再次输入 / Again: "):
            raise CommandError("两次输入的密码不一致 / The passwords differ")
        return first
