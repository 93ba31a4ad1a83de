import pytest


@pytest.mark.django_db
def test_accounts_root_goes_to_the_home_page(client, make_user):
    response = client.get("/accounts/")
    assert response.status_code == 302 and response["Location"] == "/accounts/home/"
    client.force_login(make_user(role="teacher"))
    assert client.get("/accounts/", follow=True).status_code == 200
