"""Factories with valid identifiers and the personas of the suite."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from market.models import (
    Encumbrance,
    EncumbranceKind,
    LegalStatus,
    Listing,
    ListingMode,
    ListingState,
    Organisation,
    OrganisationKind,
    Patent,
    PatentKind,
    PatentOwner,
    User,
)
from market.regions import City
from market.validators import CREDIT_CODE_ALPHABET, application_check_digit, credit_code_check_char

KIND_DIGIT = {PatentKind.INVENTION: "1", PatentKind.UTILITY_MODEL: "2", PatentKind.DESIGN: "3"}


def credit_code(n: int) -> str:
    """A valid unified social credit code, distinct for each ``n``."""
    body = "913301"  # registration authority 9, type 1, Hangzhou area code
    serial = ""
    value = n
    for _ in range(11):
        serial = CREDIT_CODE_ALPHABET[value % 31] + serial
        value //= 31
    first17 = body + serial
    return first17 + credit_code_check_char(first17)


def application_number(n: int, kind: str = PatentKind.INVENTION, year: int = 2019) -> str:
    """A valid application number with a correct check digit."""
    twelve = f"{year}{KIND_DIGIT[kind]}{n:07d}"
    return f"{twelve}.{application_check_digit(twelve)}"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"杭州测试科技有限公司{n}")
    credit_code = factory.Sequence(lambda n: credit_code(1000 + n))
    kind = OrganisationKind.ENTERPRISE
    city = City.HANGZHOU
    verified = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", "pass12345")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def hold(patent: Patent, org: Organisation, **fields) -> PatentOwner:
    """``org`` on the register as a holder of ``patent``, joined (as after an accepted claim)."""
    return PatentOwner.objects.create(patent=patent, name=org.name, credit_code=org.credit_code, organisation=org,
                                      claimed_at=timezone.now(), **fields)


class PatentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patent
        skip_postgeneration_save = True

    kind = PatentKind.INVENTION
    application_number = factory.LazyAttributeSequence(lambda o, n: application_number(100000 + n, o.kind))
    title = factory.Sequence(lambda n: f"一种锂电池隔膜及其制备方法{n}")
    abstract = "本发明公开了一种锂电池隔膜，提高了电池的安全性。"
    ipc_codes = factory.LazyFunction(lambda: ["H01M50/403"])
    filing_date = factory.LazyFunction(lambda: dt.date(2019, 3, 1))
    grant_date = factory.LazyFunction(lambda: dt.date(2021, 6, 1))
    legal_status = LegalStatus.GRANTED
    claims_count = 8
    independent_claims = 2

    @factory.post_generation
    def holders(obj, create, extracted, **kwargs):
        """``holders=[org, ...]`` records the register's holders (default: a new organisation)."""
        if not create:
            return
        for org in extracted if extracted is not None else [OrganisationFactory()]:
            hold(obj, org)


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.LazyAttribute(lambda o: UserFactory(organisation=o.organisation))
    title = factory.Sequence(lambda n: f"锂电池隔膜专利转让{n}")
    mode = ListingMode.TRANSFER
    asking_price = Decimal("500000.00")
    state = ListingState.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def patents(obj, create, extracted, **kwargs):
        """``patents=[...]``; by default one new patent held by the listing's organisation."""
        if not create:
            return
        obj.patents.set(extracted if extracted is not None else [PatentFactory(holders=[obj.organisation])])


def pledge(patent: Patent, pledgee: Organisation, **fields) -> Encumbrance:
    """Record a registered pledge of ``patent`` to ``pledgee``."""
    return Encumbrance.objects.create(patent=patent, kind=EncumbranceKind.PLEDGE, beneficiary=pledgee,
                                      secured_amount=fields.pop("secured_amount", Decimal("100000.00")), **fields)


_mark_numbers = iter(range(30_000_001, 40_000_000))


def trademark(text: str = "丽水山耕", *, groups: tuple[str, ...] = ("3002",), holders=None,
              registered: dt.date = dt.date(2018, 6, 7), status: str = LegalStatus.GRANTED,
              valid_until: dt.date | None = None) -> Patent:
    """A registered mark on the register with goods in ``groups`` (similar-group codes), held by ``holders``
    (default: a new organisation)."""
    from market.models import TrademarkRecord
    from market.models.trademarks import first_term_end
    from market.register.trademarks import goods_text

    goods = [{"nice_class": int(g[:2]), "group": g, "name": f"商品{g}"} for g in groups]
    right = Patent.objects.create(kind=PatentKind.TRADEMARK, application_number=str(next(_mark_numbers)),
                                  title=text, abstract=goods_text(goods), filing_date=registered - dt.timedelta(days=300),
                                  grant_date=registered, legal_status=status)
    TrademarkRecord.objects.create(right=right, mark_text=text, valid_until=valid_until or first_term_end(registered),
                                   goods=goods)
    for org in holders if holders is not None else [OrganisationFactory()]:
        hold(right, org)
    return right
