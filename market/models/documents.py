"""Issued documents: numbered, hashed, immutable; a correction is a new version that supersedes."""

import secrets

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .patents import Patent


class DocumentKind(models.TextChoices):
    TRANSFER_CONTRACT = "transfer_contract", "专利权转让合同 Transfer contract"
    CHANGE_REQUEST = "change_request", "著录项目变更申报书 Request for change of bibliographic data"
    DEAL_CERTIFICATE = "deal_certificate", "交易鉴证书 Deal certificate"
    AUCTION_ANNOUNCEMENT = "auction_announcement", "拍卖公告 Auction announcement"
    AUCTION_CONFIRMATION = "auction_confirmation", "成交确认书 Auction result confirmation"
    OPEN_LICENCE_DECLARATION = "open_licence_declaration", "专利开放许可声明 Open-licence declaration"
    LICENCE_NOTICE = "licence_notice", "开放许可实施通知书 Licence notice"
    LICENCE_RECORD = "licence_record", "专利实施许可合同备案申请表 Licence contract filing application"
    LICENCE_CONTRACT = "licence_contract", "专利实施许可合同 Licence contract"
    # pledge financing
    PLEDGE_CONTRACT = "pledge_contract", "专利权质押合同 Pledge contract"
    PLEDGE_REGISTRATION = "pledge_registration", "专利权质押登记申请表 Pledge registration application"
    PLEDGE_NOTICE = "pledge_notice", "专利权质押登记通知书 Pledge registration notice"
    PLEDGE_RELEASE = "pledge_release", "专利权质押登记注销申请表 Pledge release application"
    # valuation
    VALUATION_REPORT = "valuation_report", "专利价值评估报告 Valuation report"
    # IP finance: a pledge of licence royalties, a securitisation pool
    RECEIVABLE_PLEDGE = "receivable_pledge", "应收账款质押登记证明 Receivable pledge registration"
    POOL_ISSUE = "pool_issue", "知识产权证券化发行说明书 Pool issue statement"
    POOL_DISTRIBUTION = "pool_distribution", "证券化收益分配报告 Pool distribution report"


class DocumentState(models.TextChoices):
    PENDING = "pending", "生成中 Rendering"
    ISSUED = "issued", "已签发 Issued"
    FAILED = "failed", "生成失败 Failed"


# The verification code: 16 characters of an alphabet without look-alikes (0/O, 1/I/L), 80 random bits,
# printed and in the QR code as XXXX-XXXX-XXXX-XXXX. It, not the number, opens the public verification page.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_verification_code(text: str) -> str:
    """A typed or scanned code in its stored form: upper-case, without separators."""
    return "".join(c for c in (text or "").upper() if c.isalnum())[:CODE_LENGTH * 2]


def format_verification_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


class DocumentQuerySet(models.QuerySet):
    def for_deal(self, deal: models.Model) -> "DocumentQuerySet":
        """Every document (all versions) of ``deal``."""
        return self.filter(deal_type=ContentType.objects.get_for_model(deal), deal_id=deal.pk)

    def latest_versions(self) -> "DocumentQuerySet":
        """Versions no later version supersedes (pending, failed or issued)."""
        return self.filter(superseded_by__isnull=True)


# The trademark office's name of a document kind, when the document's rights are registered marks.
TRADEMARK_KIND_LABELS = {
    DocumentKind.TRANSFER_CONTRACT: "注册商标转让合同 Trademark transfer contract",
    DocumentKind.CHANGE_REQUEST: "转让/移转申请/注册商标申请书 Application for the transfer of a registered mark",
    DocumentKind.LICENCE_CONTRACT: "商标使用许可合同 Trademark licence contract",
    DocumentKind.LICENCE_RECORD: "商标使用许可备案表 Trademark licence record form",
    DocumentKind.PLEDGE_CONTRACT: "注册商标专用权质押合同 Trademark pledge contract",
    DocumentKind.PLEDGE_REGISTRATION: "商标专用权质权登记申请书 Trademark pledge registration application",
    DocumentKind.PLEDGE_NOTICE: "商标专用权质权登记证 Trademark pledge registration certificate",
    DocumentKind.PLEDGE_RELEASE: "商标专用权质权登记注销申请书 Trademark pledge release application",
}


def rights_of(deal: models.Model) -> list[Patent]:
    """The rights a deal is about: its ``patents``, else its one ``patent``."""
    if hasattr(deal, "patents"):
        return list(deal.patents.all())
    right = getattr(deal, "patent", None)
    return [right] if right is not None else []


class Document(models.Model):
    """One version of one document of one deal (and, for per-patent documents, one patent)."""

    number = models.CharField(_("文书编号"), max_length=40, unique=True)
    verification_code = models.CharField(_("核验码"), max_length=CODE_LENGTH, unique=True,
                                         default=new_verification_code, editable=False)
    kind = models.CharField(_("文书类型"), max_length=30, choices=DocumentKind.choices)
    deal_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    deal_id = models.PositiveBigIntegerField()
    deal = GenericForeignKey("deal_type", "deal_id")
    patent = models.ForeignKey(Patent, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    state = models.CharField(max_length=10, choices=DocumentState.choices, default=DocumentState.PENDING)
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["deal_type", "deal_id", "kind", "version"]
        # Two partial constraints rather than nulls_distinct=False, which SQLite cannot enforce.
        constraints = [
            models.UniqueConstraint(fields=["deal_type", "deal_id", "kind", "patent", "version"],
                                    condition=models.Q(patent__isnull=False), name="uniq_document_version_patent"),
            models.UniqueConstraint(fields=["deal_type", "deal_id", "kind", "version"],
                                    condition=models.Q(patent__isnull=True), name="uniq_document_version"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()} v{self.version}"

    @property
    def title(self) -> str:
        """The document's bilingual name: the trademark office's when its rights are all marks (its one right, for a
        per-right document), else its kind's."""
        rights = [self.patent] if self.patent_id else rights_of(self.deal)
        if self.kind in TRADEMARK_KIND_LABELS and rights and all(right.is_trademark for right in rights):
            return TRADEMARK_KIND_LABELS[self.kind]
        return self.get_kind_display()

    @property
    def verification_code_display(self) -> str:
        return format_verification_code(self.verification_code)

    @property
    def is_current(self) -> bool:
        """Issued and not superseded by a later version."""
        return self.state == DocumentState.ISSUED and not Document.objects.filter(supersedes=self).exists()
