"""The base of every page form."""

from django import forms


class Form(forms.Form):
    """Our forms: labels without Django's ":" suffix (the CSS sets labels on their own line)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
