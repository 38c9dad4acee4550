"""Home page, sign-up, sign-in and sign-out."""

import pytest
from django.contrib.auth import get_user_model

from relaydesk.accounts.services import organization_for_email
from relaydesk.accounts.signup import sign_up_customer
from tests.factories import PASSWORD, OrganizationFactory

User = get_user_model()
STRONG = "violet-tangerine-47-orbit"


def signup_data(**overrides):
    data = {
        "email": "new.person@acme.test",
        "full_name": "New Person",
        "password1": STRONG,
        "password2": STRONG,
    }
    data.update(overrides)
    return data


# --- home ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_welcomes_visitors_with_sign_in_and_sign_up(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/login/"' in body
    assert 'href="/signup/"' in body
    assert "Create an account" in body
    assert "portal/home.html" in [t.name for t in response.templates]


def test_home_shows_customer_recent_requests_and_new_request(client_for, customer, make_ticket):
    make_ticket(subject="Laptop will not boot")
    response = client_for(customer).get("/")
    body = response.content.decode()
    assert "Laptop will not boot" in body
    assert 'class="button button-large" href="/requests/new/"' in body


def test_home_shows_only_the_customers_own_requests(client_for, customer, org_colleague, org,
                                                     make_ticket):  # fmt: skip
    org.members_see_all_tickets = True
    org.save()
    make_ticket(org_colleague, subject="Colleague's request")
    response = client_for(customer).get("/")
    assert "Colleague&#x27;s request" not in response.content.decode()


def test_home_links_agents_to_the_desk(client_for, agent):
    body = client_for(agent).get("/").content.decode()
    assert 'href="/desk/"' in body
    assert "/requests/new/" not in body


# --- sign-up ------------------------------------------------------------------------------


def test_signup_joins_the_organization_of_the_email_domain_and_signs_in(client, org):
    response = client.post("/signup/", signup_data())
    assert response.status_code == 302
    user = User.objects.get(email="new.person@acme.test")
    assert user.organization == org
    assert user.is_customer
    assert user.full_name == "New Person"
    assert user.check_password(STRONG)
    assert client.get("/").context["user"] == user  # signed in


def test_signup_with_unknown_domain_has_no_organization(client, org):
    client.post("/signup/", signup_data(email="someone@elsewhere.test"))
    assert User.objects.get(email="someone@elsewhere.test").organization is None


def test_domain_match_is_exact_not_a_substring(db):
    acme = OrganizationFactory(domains="acme.test, acme-corp.test")
    OrganizationFactory(domains="notacme.test")
    assert organization_for_email("a@acme-corp.test") == acme
    assert organization_for_email("a@ACME.test") == acme
    assert organization_for_email("a@cme.test") is None
    assert organization_for_email("a@notacme.test") != acme


def test_signup_refuses_a_duplicate_email_whatever_its_case(client, customer):
    response = client.post("/signup/", signup_data(email="Customer@ACME.test"))
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email__iexact="customer@acme.test").count() == 1
    assert "_auth_user_id" not in client.session


def test_sign_up_service_refuses_duplicates_too(customer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        sign_up_customer("CUSTOMER@acme.test", "Again", STRONG)


@pytest.mark.parametrize("password", ["short", "password123"], ids=["too-short", "too-common"])
@pytest.mark.django_db
def test_signup_applies_djangos_password_validators(client, password):
    response = client.post("/signup/", signup_data(password1=password, password2=password))
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(email="new.person@acme.test").exists()


@pytest.mark.django_db
def test_signup_needs_the_same_password_twice(client):
    response = client.post("/signup/", signup_data(password2=STRONG + "x"))
    assert "password2" in response.context["form"].errors
    assert not User.objects.exists()


# --- sign-in and sign-out -----------------------------------------------------------------


def test_login_page_asks_for_an_email(client, db):
    response = client.get("/login/")
    body = response.content.decode()
    assert 'type="email"' in body
    assert "Email address" in body
    assert "portal/login.html" in [t.name for t in response.templates]


def test_customer_lands_on_their_requests(client, customer):
    response = client.post("/login/", {"username": "customer@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/requests/"


def test_agent_lands_in_the_desk(client, agent):
    response = client.post("/login/", {"username": "AGENT@desk.test", "password": PASSWORD})
    assert response["Location"] == "/desk/"


def test_login_follows_a_safe_next(client, customer):
    response = client.post(
        "/login/?next=/requests/new/", {"username": customer.email, "password": PASSWORD}
    )
    assert response["Location"] == "/requests/new/"


def test_login_ignores_an_unsafe_next(client, customer):
    response = client.post(
        "/login/",
        {"username": customer.email, "password": PASSWORD, "next": "https://evil.test/x"},
    )
    assert response["Location"] == "/requests/"


def test_wrong_password_is_refused_with_a_message(client, customer):
    response = client.post("/login/", {"username": customer.email, "password": "nope"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(client_for, customer):
    client = client_for(customer)
    assert client.get("/logout/").status_code == 405
    assert "_auth_user_id" in client.session  # still signed in
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
