from django.urls import path

from crm.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="endpoint_list"),
    path("new/", views.endpoint_create, name="endpoint_create"),
    path("<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("<int:pk>/secret/", views.endpoint_rotate, name="endpoint_rotate"),
    path("<int:pk>/pause/", views.endpoint_pause, name="endpoint_pause"),
    path("<int:pk>/remove/", views.endpoint_remove, name="endpoint_remove"),
    path("<int:pk>/history/", views.endpoint_history, name="endpoint_history"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:pk>/send-again/", views.delivery_send_again, name="delivery_send_again"),
]
