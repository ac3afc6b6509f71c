import pytest


@pytest.fixture(autouse=True)
def _lingua(request, settings):
    """Pages and messages in the language of the source strings, so that the tests of the
    tables read the same whatever the Italian catalogue says; modules marked ``italiano``
    read the Italian pages (Italian number and date formats)."""
    if request.node.get_closest_marker("italiano") is None:
        settings.LANGUAGE_CODE = "en"
        settings.LANGUAGES = [("en", "English"), ("it", "Italian")]
