"""The plan's PDFs: each frozen version's document and the accordo di programma."""

import hashlib

from django.core.files.base import ContentFile
from django.utils import translation

from pdz.pdf import render_pdf_pages


def pdf_versione(versione):
    """Render the version's document; a version never changes, so once is enough."""
    with translation.override("it"):
        pdf, pagine = render_pdf_pages(
            "pdf/piani/piano.html", {"versione": versione, "c": versione.contenuto}
        )
    versione.pdf.save(
        f"piano-{versione.piano.ambito.codice}-{versione.piano.triennio}-v{versione.numero}.pdf",
        ContentFile(pdf),
        save=False,
    )
    versione.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    versione.pdf_pagine = pagine
    versione.save(update_fields=["pdf", "pdf_sha256", "pdf_pagine"])
    return versione
