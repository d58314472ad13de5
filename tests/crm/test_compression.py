"""Pages, htmx fragments and exports travel compressed to browsers that accept it (slow links)."""

import gzip

from tests.factories import OrganizationFactory


def test_a_list_page_is_sent_compressed_and_reads_the_same(officer_client):
    OrganizationFactory.create_batch(30)
    plain = officer_client.get("/stakeholders/organizations/")
    packed = officer_client.get("/stakeholders/organizations/", headers={"Accept-Encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip"
    assert len(packed.content) * 4 < len(plain.content)
    assert "Organizations" in gzip.decompress(packed.content).decode()


def test_a_streamed_export_is_compressed_too(officer_client):
    OrganizationFactory(name="Transit Saloum")
    response = officer_client.get("/stakeholders/organizations/?_export=csv", headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "Transit Saloum" in gzip.decompress(b"".join(response.streaming_content)).decode("utf-8-sig")
