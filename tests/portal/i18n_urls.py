"""A URL configuration whose addresses depend on the language (tests/portal/test_constant_urls.py)."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path

urlpatterns = i18n_patterns(path("aide/", lambda request: HttpResponse(), name="aide"))
