"""Every list page, and the campaign page, offer the same three exports (Excel, CSV for French
Excel, CSV with codes), and each link downloads its file."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from communications.models import Campaign
from tests.crm.test_hostile_input import LISTS  # every list page, named once
from tests.factories import ContactFactory, OrganizationFactory, RegionFactory

MENU = [
    ("xlsx", "Export Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("csv-excel", "Export CSV for Excel (;)", "text/csv; charset=utf-8"),
    ("csv", "Export CSV (codes)", "text/csv; charset=utf-8"),
]


def _menu_links(html: str) -> dict[str, tuple[str, str]]:
    """_export value → (href, link text) of each download link."""
    links = re.findall(r'<a [^>]*href="([^"]*_export=([\w-]+))"[^>]*>([^<]*)</a>', html)
    return {fmt: (unescape(href), text) for href, fmt, text in links}


def _downloads(client, url: str) -> tuple[int, str, bytes]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, response["Content-Type"], body


@pytest.mark.parametrize("path", LISTS)
def test_every_list_page_offers_the_three_exports_and_each_downloads(manager_client, path):
    OrganizationFactory(name="Transit Acacia")
    links = _menu_links(manager_client.get(path).content.decode())
    for fmt, words, content_type in MENU:
        href, text = links[fmt]
        assert text == words
        assert href.startswith("?"), href  # the list's own filters, then the format
        status, kind, body = _downloads(manager_client, path + href)
        assert (status, kind) == (200, content_type), (path, fmt)
        if fmt == "csv-excel":
            assert b";" in body.splitlines()[0]
            assert b"," not in body.splitlines()[0]


def _campaign() -> Campaign:
    kayes = RegionFactory(name="Kayes")
    broker = OrganizationFactory(name="Transit Acacia", type="customs_broker", region=kayes)
    ContactFactory(organization=broker, consent=True, last_name="Diallo")
    return Campaign.objects.create(
        name="Anti-Corruption Day",
        status="active",
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() + timedelta(days=10),
        audience_query="type=customs_broker&region=Kayes",
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_campaign_page_offers_the_three_exports_of_its_mailing_list_and_of_those_not_reached(
    manager_client, language
):
    campaign = _campaign()
    html = manager_client.get(f"/communications/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE=language).content
    html = html.decode()
    for part, row in [("mailing-list", b"Diallo"), ("not-reached", b"Transit Acacia")]:
        group = re.search(rf'<div[^>]*role="group"[^>]*>(?:(?!</div>).)*/{part}/(?:(?!</div>).)*</div>', html, re.S)
        assert group, part
        links = _menu_links(group.group(0))
        assert sorted(links) == sorted(fmt for fmt, _words, _type in MENU), part
        for fmt, _words, content_type in MENU:
            status, kind, body = _downloads(manager_client, links[fmt][0])
            assert (status, kind) == (200, content_type), (part, fmt)
            if fmt != "xlsx":
                assert row in body


def test_the_campaign_page_says_which_list_each_menu_exports(manager_client):
    campaign = _campaign()
    html = manager_client.get(f"/communications/campaigns/{campaign.pk}/").content.decode()
    labels = re.findall(r'<div[^>]*role="group" aria-label="([^"]+)"', html)
    assert labels == ["Export the mailing list", "Export those not reached"]


def test_the_campaign_page_names_its_export_menus_in_french(manager_client):
    campaign = _campaign()
    html = manager_client.get(f"/communications/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    labels = re.findall(r'<div[^>]*role="group" aria-label="([^"]+)"', html)
    assert labels == ["Exporter la liste de diffusion", "Exporter les organisations non touchées"]
    assert html.count("Exporter en CSV pour Excel (;)") == 2
