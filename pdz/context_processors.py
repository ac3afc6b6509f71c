from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_OWNER": settings.SITE_OWNER,
        "SITE_OWNER_URL": settings.SITE_OWNER_URL,
        "DEBUG_OUTBOX": settings.EMAIL_BACKEND == "pdz.mail.OutboxBackend" and settings.DEBUG,
    }
