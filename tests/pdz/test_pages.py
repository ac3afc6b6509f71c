import pytest
from django.template.loader import render_to_string


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accessibilita/", "/privacy/"])
def test_legal_pages_are_public(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert 'data-element="accessibility-link"' in response.content.decode()


@pytest.mark.django_db
def test_unknown_page_gets_the_sites_404(client):
    response = client.get("/non-esiste/")
    assert response.status_code == 404
    assert "Piano di Zona" in response.content.decode()


def test_server_error_page_renders_without_any_context():
    # Django renders 500.html with an empty context: no request, no database.
    html = render_to_string("500.html")
    assert "Servizio temporaneamente non disponibile" in html
    assert "bootstrap-italia" in html
