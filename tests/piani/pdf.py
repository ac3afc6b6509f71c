import re
import subprocess


def leggi_pdf(path):
    """The text of a PDF as one line: pdftotext, words hyphenated at line ends joined again
    (WeasyPrint hyphenates Italian: "fa‐" / "vorevoli"), one space for any run of spaces,
    non-breaking spaces and line breaks."""
    testo = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    testo = re.sub(r"\u2010\s*\n\s*", "", testo)
    return " ".join(testo.replace("\xa0", " ").split())
