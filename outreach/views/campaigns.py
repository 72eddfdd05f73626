"""Pages of the call campaigns (campaigns)."""

urlpatterns: list = []
