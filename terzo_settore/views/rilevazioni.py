"""Views: rilevazioni."""

urlpatterns = []
