"""Seed the weights table version 2026.1 (valuation/weights.py; a version never changes once published)."""

from django.db import migrations

VERSION = "2026.1"


def seed(apps, schema_editor):
    from valuation.weights import WEIGHTS

    WeightsVersion = apps.get_model("valuation", "WeightsVersion")
    WeightsVersion.objects.get_or_create(version=VERSION, defaults={
        "weights": WEIGHTS[VERSION],
        "note": "GB/T 42748-2023 三个一级指标：法律 40%、技术 30%、经济 30% / legal 40%, technical 30%, economic 30%",
    })


def unseed(apps, schema_editor):
    apps.get_model("valuation", "WeightsVersion").objects.filter(version=VERSION, valuations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("valuation", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
