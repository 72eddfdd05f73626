from outreach.views import appointments, availability, caller, campaigns, caretakers, followups

app_name = "outreach"

# Each page module declares its own routes (campaigns and dashboard, the caller's screen,
# partners / referrals / solidarity register).
urlpatterns = (
    campaigns.urlpatterns
    + caller.urlpatterns
    + followups.urlpatterns
    + appointments.urlpatterns
    + availability.urlpatterns
    + caretakers.urlpatterns
)
