"""Search-on-demand suggestions for sharing and escalating."""

from tests.factories import AgentFactory, UserFactory


def options(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_suggests_agents_and_customers_of_the_ticket_org(client_for, agent, other_agent,
                                                         org_colleague, other_customer,
                                                         ticket):  # fmt: skip
    client = client_for(agent)
    body = options(client.get(f"/desk/people/?ticket={ticket.number}&q=test"))
    assert org_colleague.email in body and other_agent.email in body
    assert other_customer.email not in body
    # Without a ticket, or for escalation, only agents.
    body = options(client.get("/desk/people/?q=test&scope=agents&ticket=" + str(ticket.number)))
    assert org_colleague.email not in body and other_agent.email in body


def test_input_names_are_accepted_as_query(client_for, agent, other_agent, db):
    body = options(client_for(agent).get("/desk/people/?agent=netagent"))
    assert other_agent.email in body


def test_at_most_ten_and_short_queries_return_nothing(client_for, agent, db):
    for i in range(15):
        AgentFactory(email=f"helper{i}@desk.test")
    UserFactory(email="inactive-helper@desk.test", is_active=False, role="agent")
    client = client_for(agent)
    assert options(client.get("/desk/people/?q=helper")).count("<option") == 10
    assert options(client.get("/desk/people/?q=h")).count("<option") == 0
    assert "inactive-helper" not in options(client.get("/desk/people/?q=inactive"))


def test_ticket_the_agent_cannot_see_is_404(client_for, other_agent, ticket):
    response = client_for(other_agent).get(f"/desk/people/?ticket={ticket.number}&q=acme")
    assert response.status_code == 404
