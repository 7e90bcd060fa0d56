"""The administrators' list of people: each name is a link to the person, their name as text."""
from __future__ import annotations

import pyotp


def test_each_name_is_a_link_that_opens_the_person(client, login, make_user):
    admin = make_user("admin@example.nhs.uk", roles=("admin",), full_name="Ada Admin",
                      totp_secret=pyotp.random_base32())
    odd = make_user("odd@example.nhs.uk", full_name="Ann <O'Neill> & Co")
    login(client, admin)
    page = client.get("/people/").get_data(as_text=True)
    # The link is markup; the name inside it is text, escaped once (never shown as a tag).
    assert f'<a href="/people/{odd.id}">Ann &lt;O&#39;Neill&gt; &amp; Co</a>' in page
    assert f'<a href="/people/{admin.id}">Ada Admin</a>' in page
    assert "&lt;a href" not in page
    assert client.get(f"/people/{odd.id}").status_code == 200
