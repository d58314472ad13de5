from django.urls import path

from stakeholders.views import contacts, import_runs, imports, organizations, suggest

app_name = "stakeholders"

urlpatterns = [
    path("organizations/", organizations.OrganizationList.as_view(), name="organization_list"),
    path("organizations/new/", organizations.organization_create, name="organization_create"),
    path("organizations/map/", organizations.stakeholder_map, name="map"),
    path("organizations/<int:pk>/", organizations.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", organizations.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/archive/", organizations.organization_archive, name="organization_archive"),
    path("organizations/<int:pk>/merge/", organizations.organization_merge_view, name="organization_merge"),
    path("organizations/<int:pk>/delete/", organizations.organization_delete_view, name="organization_delete"),
    path("organizations/<int:pk>/history/", organizations.organization_history, name="organization_history"),
    path("contacts/", contacts.ContactList.as_view(), name="contact_list"),
    path("contacts/new/", contacts.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", contacts.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", contacts.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/archive/", contacts.contact_archive, name="contact_archive"),
    path("contacts/<int:pk>/merge/", contacts.contact_merge_view, name="contact_merge"),
    path("contacts/<int:pk>/delete/", contacts.contact_delete_view, name="contact_delete"),
    path("contacts/<int:pk>/history/", contacts.contact_history, name="contact_history"),
    path("contacts/<int:pk>/personal-data/", contacts.contact_personal_data, name="contact_personal_data"),
    path("contacts/<int:pk>/erase/", contacts.contact_erase, name="contact_erase"),
    path("import/", imports.import_start, name="import"),
    path("import/<str:token>/columns/", imports.import_columns, name="import_columns"),
    path("import/<str:token>/", imports.import_preview, name="import_preview"),
    path("import/<str:token>/confirm/", imports.import_confirm, name="import_confirm"),
    path("import/<str:token>/run/", import_runs.import_run, name="import_run"),
    path("import/<str:token>/run/progress/", import_runs.import_run_progress, name="import_run_progress"),
    path("import/<str:token>/run/confirm/", import_runs.import_run_confirm, name="import_run_confirm"),
    path("import/<str:token>/run/cancel/", import_runs.import_run_cancel, name="import_run_cancel"),
    path("suggest/organizations/", suggest.suggest_organizations, name="suggest_organizations"),
    path("suggest/regions/", suggest.suggest_regions, name="suggest_regions"),
    path("suggest/tags/", suggest.suggest_tags, name="suggest_tags"),
    path("suggest/customs-offices/", suggest.suggest_customs_offices, name="suggest_customs_offices"),
    path("suggest/owners/", suggest.suggest_owners, name="suggest_owners"),
]
