"""Password rules: Django's validators, with messages in both languages for the API."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a Chinese message (Django's own Chinese catalogue lacks this plural)."""

    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}


def password_errors(password: str, user=None) -> list[str]:
    """Every reason ``password`` is refused, each "中文 / English" (empty when it is accepted)."""
    messages = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                messages[language] = list(exc.messages)
            else:
                return []
    return [zh if zh == en else f"{zh} / {en}" for zh, en in zip(messages["zh-hans"], messages["en"], strict=True)]
