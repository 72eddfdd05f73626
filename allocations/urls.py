from allocations import rehousing_views, views

app_name = views.app_name
urlpatterns = views.urlpatterns + rehousing_views.urlpatterns
