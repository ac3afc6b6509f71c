import os
import socket

import pytest
from allauth.account.models import EmailAddress

from tests.pdz.factories import UserFactory

# Playwright's sync API keeps an event loop running in the test thread; Django would
# otherwise refuse ORM calls made from the test while a page is open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

PASSWORD = "Piano.Di.Zona.2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _clear_cache():
    # The cache is the test Redis: allauth's rate limits must not leak between tests.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def alice(db):
    """A signed-up person with a confirmed e-mail address and no role yet."""
    user = UserFactory(email="alice@example.org", full_name="Alice Bianchi", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def smtp_sink():
    """A real SMTP server on a free port that keeps what it receives."""
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 Message accepted for delivery"

    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()
