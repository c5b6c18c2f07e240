"""Form widgets whose values follow a wire format rather than the reader's language."""

from django import forms


class IsoDateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO (YYYY-MM-DD) in every language: a date
    input given the Russian "01.12.2026" shows an empty box and submits nothing; the browser
    itself displays the date the reader's way."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
