import subprocess
from pathlib import Path

import pytest

from pdz.pdf import render_pdf

TEST_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@pytest.fixture
def test_templates(settings):
    engine = {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}
    settings.TEMPLATES = [engine]


def pdftotext(pdf, tmp_path):
    path = tmp_path / "documento.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.mark.integration
def test_pdf_keeps_italian_accents_and_numbers_its_pages(test_templates, tmp_path):
    pdf = render_pdf(
        "test_pdf/documento.html",
        {"comuni": ["Casalmaggiore", "Viadana", "Sabbioneta", "Rivarolo del Re ed Uniti"]},
    )

    assert pdf.startswith(b"%PDF-")
    text = pdftotext(pdf, tmp_path)
    assert "Perché la città è già più unita: società e comunità" in text
    assert "Rivarolo del Re ed Uniti" in text
    assert "Pagina 1 di 2" in text
    assert "Pagina 2 di 2" in text
