from django.apps import AppConfig


class CrosspostingConfig(AppConfig):
    name = "crossposting"
    verbose_name = "Cross-posting"
    default_auto_field = "django.db.models.BigAutoField"
