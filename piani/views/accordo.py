"""(views of this part come with their work)"""

urlpatterns = []
