"""PDF documents rendered from HTML templates with WeasyPrint."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


def font_dir():
    """file:// URI of the Titillium Web fonts shipped with Bootstrap Italia."""
    found = finders.find("fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.ttf")
    return Path(found).parent.as_uri() + "/" if found else ""


def render_pdf(template_name, context):
    """Render ``template_name`` (which extends ``pdf/base.html``) to PDF bytes."""
    return render_pdf_pages(template_name, context)[0]


def render_pdf_pages(template_name, context):
    """(PDF bytes, number of pages) of ``template_name``."""
    from weasyprint import HTML

    html = render_to_string(template_name, {"font_dir": font_dir(), **context})
    document = HTML(string=html, base_url=str(Path(__file__).resolve().parent.parent)).render()
    return document.write_pdf(), len(document.pages)
