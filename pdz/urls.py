from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from pdz import views

urlpatterns = [
    path("", views.home, name="home"),
    path("account/profilo/", views.profile, name="profile"),
    path("account/", include("allauth.urls")),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accessibilita/",
        TemplateView.as_view(template_name="pages/accessibilita.html"),
        name="accessibility",
    ),
    path("privacy/", TemplateView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<str:message_id>/", views.outbox_message, name="outbox_message"),
    path("ambiti/", include("ambiti.urls")),
    path("", include("terzo_settore.urls")),
    path("tavoli/", include("tavoli.urls")),
    path("piani/", include("piani.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
