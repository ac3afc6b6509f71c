from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_ALLEGATO = 10 * 1024 * 1024


def validate_pdf(file, max_size=MAX_ALLEGATO):
    """A real PDF (by its content, not its name) of at most ``max_size`` bytes."""
    if file.size > max_size:
        raise ValidationError(
            _("The file is %(size)s: the limit is %(limit)s."),
            code="troppo_grande",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(max_size)},
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(1024)
    file.seek(position)
    if b"%PDF-" not in head:
        raise ValidationError(
            _("The file is not a PDF document: save or scan it as PDF and try again."),
            code="non_pdf",
        )
