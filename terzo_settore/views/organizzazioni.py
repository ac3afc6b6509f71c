"""Views: organizzazioni."""

urlpatterns = []
