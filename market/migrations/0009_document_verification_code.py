import secrets

from django.db import migrations, models

import market.models.documents

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def fill_codes(apps, schema_editor):
    """Documents issued before verification codes existed get one each (their QR codes still name the number)."""
    Document = apps.get_model("market", "Document")
    for document in Document.objects.filter(verification_code__isnull=True).only("pk").iterator():
        document.verification_code = "".join(secrets.choice(ALPHABET) for _ in range(16))
        document.save(update_fields=["verification_code"])


class Migration(migrations.Migration):

    dependencies = [
        ("market", "0008_access"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="verification_code",
            field=models.CharField(max_length=16, null=True, editable=False, verbose_name="核验码"),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="document",
            name="verification_code",
            field=models.CharField(default=market.models.documents.new_verification_code, editable=False,
                                   max_length=16, unique=True, verbose_name="核验码"),
        ),
    ]
