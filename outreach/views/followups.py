"""Pages of the call campaigns (followups)."""

urlpatterns: list = []
