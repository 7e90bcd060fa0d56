"""Rate limits per client address on public pages: an NHS-styled 429 with Retry-After."""
from __future__ import annotations

import socket
import uuid
from typing import Iterator

import pytest
import redis

from roadmap import create_app

REDIS_URL = "redis://127.0.0.1:6379/0"
VERIFY = "/verify/ABCD-EFGH-JKMN"
PER_MINUTE = 30


def _disposing(app):
    app.extensions["roadmap.db"].engine.dispose()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in the real Redis, removed afterwards."""
    prefix = f"roadmap-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _exhaust(client, path: str = VERIFY, **kwargs) -> list[int]:
    return [client.get(path, **kwargs).status_code for _ in range(PER_MINUTE)]


def test_verify_page_is_limited_with_a_friendly_page_and_retry_after(client):
    assert 429 not in _exhaust(client)
    response = client.get(VERIFY)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "<h1>Too many requests</h1>" in page
    assert "Wait a minute, then try again." in page
    assert 'class="nhsuk-header' in page  # the service's own layout, not a bare error
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_the_verify_form_counts_with_the_verify_page(client):
    _exhaust(client)
    assert client.get("/verify?code=ABCD").status_code == 429


def test_another_address_is_not_held_back(client):
    _exhaust(client)
    assert client.get(VERIFY, environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code != 429


def test_forwarded_for_is_ignored_without_proxy_hops(client):
    _exhaust(client)
    spoofed = client.get(VERIFY, headers={"X-Forwarded-For": "198.51.100.1"})
    assert spoofed.status_code == 429


def test_behind_one_proxy_the_forwarded_client_address_is_limited(app_config):
    app = create_app({**app_config, "PROXY_HOPS": 1})
    client = app.test_client()
    _exhaust(client, headers={"X-Forwarded-For": "198.51.100.1"})
    assert client.get(VERIFY, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    assert client.get(VERIFY, headers={"X-Forwarded-For": "198.51.100.2"}).status_code != 429
    _disposing(app)


def test_sign_in_get_is_not_limited_but_post_is_counted(client):
    assert {client.get("/sign-in").status_code for _ in range(PER_MINUTE + 5)} == {200}
    response = client.post("/sign-in", data={"email": "a@example.nhs.uk", "password": "x"})
    assert response.headers["X-RateLimit-Limit"] == "30"


def test_limits_in_redis_hold_across_servers(app_config, redis_prefix):
    config = {**app_config, "REDIS_URL": REDIS_URL, "RATE_LIMIT_PREFIX": redis_prefix}
    first, second = create_app(config), create_app(config)  # two workers, one Redis
    one, two = first.test_client(), second.test_client()
    assert 429 not in [one.get(VERIFY).status_code for _ in range(PER_MINUTE // 2)]
    assert 429 not in [two.get(VERIFY).status_code for _ in range(PER_MINUTE // 2)]
    response = two.get(VERIFY)
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert one.get(VERIFY).status_code == 429
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{redis_prefix}*")
    assert keys, "the count is kept in Redis under the test's prefix"
    _disposing(first)
    _disposing(second)


def test_public_pages_still_answer_when_redis_is_down(app_config):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app({**app_config, "REDIS_URL": f"redis://127.0.0.1:{port}/0"})
    assert app.test_client().get(VERIFY).status_code in {200, 404}
    _disposing(app)


def test_production_without_redis_warns_that_limits_are_per_process(app_config, caplog):
    production = {**app_config, "TESTING": False, "ENV": "production",
                  "BASE_URL": "https://roadmap.test"}
    with caplog.at_level("WARNING", logger="roadmap.web.limits"):
        app = create_app(production)
    assert "ROADMAP_REDIS_URL is not set" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="roadmap.web.limits"):
        other = create_app({**production, "REDIS_URL": REDIS_URL})
    assert caplog.text == ""
    _disposing(app)
    _disposing(other)
