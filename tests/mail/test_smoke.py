from relaydesk.mail.ingest import ingest
from relaydesk.tickets.models import Ticket


def test_new_mail_opens_ticket(mailbox, make_mail, customer):
    result = ingest(make_mail(), mailbox=mailbox)
    assert result.inbound.status == "processed", result.inbound.reason
    ticket = result.ticket
    assert ticket.channel == Ticket.Channel.EMAIL
    assert ticket.requester == customer
    assert ticket.queue == mailbox.queue
    assert "on fire" in ticket.messages.get().body_text
