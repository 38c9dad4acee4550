"""Every awkward message of the corpus goes through the ingest path with its expected result."""

import json

import pytest

from relaydesk.mail.ingest import ingest
from relaydesk.mail.models import InboundMail
from tests.mail.conftest import CORPUS

EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def test_every_corpus_file_has_expectations():
    assert sorted(EXPECTED) == sorted(p.name for p in CORPUS.glob("*.eml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message(name, mailbox, customer):
    expected = EXPECTED[name]
    raw = (CORPUS / name).read_bytes()
    result = ingest(raw, mailbox=mailbox, envelope_sender=expected.get("envelope_sender", ""))
    data = result.as_json()
    inbound = result.inbound
    assert inbound.status == expected["status"], inbound.reason
    assert inbound.read_raw() == raw  # the raw message is kept byte for byte
    if "subject" in expected:
        assert data["subject"] == expected["subject"] or (
            expected["subject"] == "(no subject)" and result.ticket.subject == "(no subject)"
        )
    if "subject_contains" in expected:
        assert expected["subject_contains"] in data["subject"]
    assert data["from"] == expected["from"]
    if "reason" in expected:
        assert expected["reason"] in inbound.reason
    if expected["status"] != "processed":
        assert data["ticket"] is None
        return
    assert data["created"] is True
    ticket = result.ticket
    message = inbound.message
    for snippet in expected.get("body", []):
        assert snippet in data["body"]
    for snippet in expected.get("html", []):
        assert snippet in message.body_html
    for snippet in expected.get("not_in_html", []):
        assert snippet not in message.body_html
    assert [a["filename"] for a in data["attachments"]] == expected["attachments"]
    assert all(a["size"] > 0 for a in data["attachments"])
    assert sorted(ticket.attachments.values_list("filename", flat=True)) == sorted(
        expected["attachments"]
    )
    if "name" in expected:
        assert ticket.requester.full_name == expected["name"]
    if "inline" in expected:
        assert sorted(inbound.inline_images) == expected["inline"]
        attachment = ticket.attachments.get(id=inbound.inline_images[expected["inline"][0]])
        assert attachment.content_type.startswith("image/")
    if "quote_starts" in expected:
        assert message.body_text[inbound.quote_offset :].startswith(expected["quote_starts"])
    else:
        assert inbound.quote_offset is None


def test_same_message_twice_makes_one_ticket(mailbox, customer):
    raw = (CORPUS / "plain.eml").read_bytes()
    first = ingest(raw, mailbox=mailbox)
    second = ingest(raw, mailbox=mailbox)
    assert second.duplicate and second.ticket == first.ticket
    assert second.as_json()["created"] is False
    assert InboundMail.objects.count() == 1
    assert first.ticket.messages.count() == 1


def test_message_without_message_id_is_idempotent_on_its_content(mailbox, customer):
    raw = (CORPUS / "missing-headers.eml").read_bytes()
    ingest(raw, mailbox=mailbox)
    ingest(raw, mailbox=mailbox)
    assert InboundMail.objects.count() == 1
