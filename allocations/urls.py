from allocations import letting_views, rehousing_views
from allocations.views import app_name
from allocations.views import urlpatterns as committee_urlpatterns

urlpatterns = committee_urlpatterns + letting_views.urlpatterns + rehousing_views.urlpatterns

__all__ = ["app_name", "urlpatterns"]
