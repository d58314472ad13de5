"""/api/v1/offline/ (included by crm/api/urls.py)."""

from django.urls import path

from crm.offline import api

urlpatterns = [
    path("session/", api.session, name="offline_session"),
    path("directory/", api.picker_directory, name="offline_directory"),
]
