"""A file past the request limit (issue 22, outsider's attack: a 50 MB upload gave a bare "The
file is too large" page that left the item): the page says the limit and leads back."""
from __future__ import annotations

import html
import io

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.portfolio.test_views import log_form


def test_a_50_mb_upload_says_the_limit_and_links_back_to_the_item(client, login, world, session):
    login(client, world.candidate)
    location = client.post("/portfolio/evidence/new/learning_log",
                           data=log_form(world, session)).headers["Location"]
    evidence_id = int(location.rsplit("/", 1)[1])
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024))
    # Encoded in memory: the client's own encoding spools to a temporary file nobody closes.
    boundary, body = encode_multipart(MultiDict({"file": FileStorage(big, "scan.pdf")}))
    response = client.post(f"/portfolio/evidence/{evidence_id}/attachments", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 413
    assert "The file is too large" in page and "up to 10 MB" in page
    assert f'href="/portfolio/evidence/{evidence_id}#attachments">Go back to the item' in page
    assert 'class="nhsuk-header' in page  # in the service's own frame, signed in
