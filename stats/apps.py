from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "统计驾驶舱 Statistics cockpit"
    default_auto_field = "django.db.models.BigAutoField"
