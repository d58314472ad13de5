{% autoescape off %}// The service worker (crm/offline/views.py): the names of what it keeps, then its code.
self.CRM_OFFLINE = {{ config }};
importScripts("{{ outbox }}", self.CRM_OFFLINE.core);
{% endautoescape %}
