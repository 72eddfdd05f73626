"""Pages of the call campaigns (caller)."""

urlpatterns: list = []
