"""Views: avvisi."""

urlpatterns = []
