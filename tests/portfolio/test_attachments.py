"""Files over HTTP: signed means frozen, files included; uploads checked; names cleaned; removal."""
from __future__ import annotations

import io
import struct
import zlib

import boto3
import pytest
import sqlalchemy as sa
from PIL import Image, ImageFile, PngImagePlugin

from roadmap import storage
from roadmap.audit.models import AuditEvent
from roadmap.portfolio.content import content_hash, evidence_content
from roadmap.portfolio.models import Attachment, Evidence, EvidenceVersion
from roadmap.storage import LocalStore
from roadmap.supervision.models import Signature
from tests.fixtures.storage import S3_REGION
from tests.fixtures.apps import through_check
from tests.fixtures.msk import assessor_answers


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(ATTACHMENT_DIR=str(tmp_path / "attachments"))
    return app_config


def _png(size=(6, 4), text: dict[str, str] | None = None) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _huge_png(side: int = 20000) -> bytes:
    """A real side x side black-and-white PNG: all zeros compress to a few tens of KB."""
    row, packer = b"\x00" * (1 + side // 8), zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + _chunk(b"IDAT", data) + _chunk(b"IEND", b""))


def _upload(client, item_id, data, name="knee.png"):
    with client.post(f"/portfolio/evidence/{item_id}/attachments", follow_redirects=False,
                     data={"file": (io.BytesIO(data), name)},
                     content_type="multipart/form-data") as response:
        response.get_data()
    return response


def _form(answers):
    return {f"answer_{code}": value for code, value in answers.items() if value is not None}


def _sign_over_http(app, login, team, make_item, item):
    """The primary supervisor signs the item from the assess page, in a browser of their own."""
    supervisor = app.test_client()
    login(supervisor, team.primary)
    response = through_check(supervisor, f"/supervision/items/{item.id}", {
        **_form(assessor_answers(make_item, "cbd")), "lock_version": item.lock_version})
    assert response.status_code == 302, response.data[:1000]


def _fresh(session, model, key):
    session.rollback()
    session.expire_all()
    return session.get(model, key)


@pytest.fixture
def signed_with_file(app, client, login, session, team, make_item):
    """A CBD with a photo attached, then signed by the primary supervisor over HTTP."""
    item = make_item("cbd", status="submitted")
    login(client, team.candidate)
    assert _upload(client, item.id, _png()).status_code == 302
    item = _fresh(session, Evidence, item.id)
    _sign_over_http(app, login, team, make_item, item)
    item = _fresh(session, Evidence, item.id)
    assert item.status == "signed"
    attachment = session.scalar(sa.select(Attachment).where(Attachment.evidence_id == item.id))
    return item, attachment


def test_the_signature_covers_the_files_and_a_file_added_later_makes_the_item_changed(
        app, client, login, session, runner, team, make_item, signed_with_file):
    item, photo = signed_with_file
    version = session.scalar(sa.select(EvidenceVersion).where(EvidenceVersion.evidence_id == item.id))
    assert version.content["attachments"] == [{"id": photo.id, "name": "knee.png",
                                               "media_type": "image/png", "sha256": photo.sha256}]
    signature = session.scalar(sa.select(Signature))
    assert signature.content_hash == version.content_hash == content_hash(version.content)

    assert _upload(client, item.id, _png((9, 9)), "later.png").status_code == 302
    item = _fresh(session, Evidence, item.id)
    assert item.status == "changed_since_signed"
    page = client.get(f"/portfolio/evidence/{item.id}").get_data(as_text=True)
    assert "Changed since signed" in page and "later.png" in page
    assert _fresh(session, Signature, signature.id).content_hash == version.content_hash
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "1 signed files read back" in result.output


def test_a_signed_file_cannot_be_removed_but_a_later_one_can(app, client, login, session, runner,
                                                             signed_with_file):
    item, photo = signed_with_file
    page = client.get(f"/portfolio/attachments/{photo.id}/remove").get_data(as_text=True)
    assert "cannot be removed" in page and "part of what was signed" in page
    assert "Remove the file" not in page
    refused = client.post(f"/portfolio/attachments/{photo.id}/remove")
    assert refused.status_code == 409
    assert _fresh(session, Attachment, photo.id) is not None

    assert _upload(client, item.id, _png((3, 3)), "extra.png").status_code == 302
    session.rollback()
    extra = session.scalar(sa.select(Attachment).where(Attachment.filename == "extra.png"))
    shown = client.get(f"/portfolio/evidence/{item.id}").get_data(as_text=True)
    assert f"/portfolio/attachments/{extra.id}/remove" in shown
    assert f"/portfolio/attachments/{photo.id}/remove" not in shown
    assert client.post(f"/portfolio/attachments/{extra.id}/remove").status_code == 302
    assert _fresh(session, Attachment, extra.id) is None
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def _swap_stored_bytes(app, key: str, data: bytes) -> None:
    """Overwrite a stored file behind the application's back, in whichever store it uses."""
    store = storage.current(app)
    if isinstance(store, LocalStore):
        store.path(key).write_bytes(data)
    else:
        boto3.client("s3", endpoint_url=store.endpoint_url, region_name=S3_REGION).put_object(
            Bucket=store.bucket, Key=store.name(key), Body=data)


def test_a_signed_file_swapped_in_the_store_is_caught(app, runner, signed_with_file):
    item, photo = signed_with_file
    _swap_stored_bytes(app, photo.sha256, _png((50, 50)))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"evidence {item.id}" in result.output and "“knee.png”" in result.output
    assert "no longer matches the SHA-256 that was signed" in result.output


def test_a_signed_file_missing_from_the_store_is_caught(app, runner, signed_with_file):
    item, photo = signed_with_file
    store = storage.current(app)
    if isinstance(store, LocalStore):
        store.path(photo.sha256).unlink()
    else:
        boto3.client("s3", endpoint_url=store.endpoint_url, region_name=S3_REGION).delete_object(
            Bucket=store.bucket, Key=store.name(photo.sha256))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "the stored file is missing" in result.output


@pytest.mark.parametrize("statement", [
    "UPDATE attachments SET sha256 = :other WHERE id = :id",
    "UPDATE attachments SET filename = 'innocent.png' WHERE id = :id",
    "DELETE FROM attachments WHERE id = :id",
])
def test_a_signed_file_record_changed_in_the_database_is_caught(app, session, runner,
                                                                signed_with_file, statement):
    item, photo = signed_with_file
    other = Attachment(evidence_id=item.id, filename="x", media_type="image/png", size_bytes=1,
                       sha256="f" * 64, uploaded_by_id=photo.uploaded_by_id)
    session.execute(sa.text(statement), {"id": photo.id, "other": other.sha256})
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"evidence {item.id}" in result.output and f"attachment {photo.id}" in result.output


def test_a_signature_made_before_files_were_covered_still_verifies(app, client, login, session,
                                                                   runner, team, make_item):
    """Recipe 1: the content lists no files; it verifies as it was, and its files stay put."""
    from roadmap.audit.service import record

    item = make_item("cbd", status="submitted")
    login(client, team.candidate)
    assert _upload(client, item.id, _png()).status_code == 302
    item = _fresh(session, Evidence, item.id)
    content = evidence_content(item, "cbd", ["1"], recipe=1)
    assert "attachments" not in content and "recipe" not in content
    version = EvidenceVersion(evidence_id=item.id, number=1, content=content,
                              content_hash=content_hash(content))
    session.add(version)
    session.flush()
    signature = Signature(subject_type="evidence_version", subject_id=version.id,
                          signer_id=team.primary.id, signer_name="Dr Primary",
                          capacity="primary_supervisor", content_hash=version.content_hash)
    session.add(signature)
    session.flush()
    record(session, "evidence.signed", actor_id=team.primary.id, subject_type="evidence",
           subject_id=item.id, enrolment_id=item.enrolment_id,
           data={"signature_id": signature.id, "capacity": "primary_supervisor",
                 "content_hash": version.content_hash})
    item.status = "signed"
    session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    photo = session.scalar(sa.select(Attachment).where(Attachment.evidence_id == item.id))
    assert client.post(f"/portfolio/attachments/{photo.id}/remove").status_code == 409
    assert _upload(client, item.id, _png((2, 2)), "new.png").status_code == 302
    assert _fresh(session, Evidence, item.id).status == "changed_since_signed"
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_the_candidate_removes_a_file_from_a_draft_with_a_confirmation(app, client, login,
                                                                       session, team, make_item):
    item = make_item("cbd", status="draft")
    login(client, team.candidate)
    assert _upload(client, item.id, _png(), "wrong file.png").status_code == 302
    photo = session.scalar(sa.select(Attachment))
    digest, lock = photo.sha256, _fresh(session, Evidence, item.id).lock_version
    confirm = client.get(f"/portfolio/attachments/{photo.id}/remove").get_data(as_text=True)
    assert "Remove “wrong file.png”?" in confirm and 'method="post"' in confirm
    assert 'name="csrf_token"' in confirm
    done = client.post(f"/portfolio/attachments/{photo.id}/remove", follow_redirects=True)
    assert "wrong file.png was removed" in done.get_data(as_text=True)
    assert _fresh(session, Attachment, photo.id) is None
    assert session.get(Evidence, item.id).lock_version == lock + 1  # an open assess form goes stale
    event = session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "evidence.attachment_removed"))
    assert event.actor_id == team.candidate.id and event.subject_id == item.id
    assert event.data["filename"] == "wrong file.png" and event.data["sha256"] == digest


def test_removing_needs_the_csrf_token(app, client, login, session, team, make_item):
    item = make_item("cbd", status="draft")
    login(client, team.candidate)
    assert _upload(client, item.id, _png()).status_code == 302
    photo = session.scalar(sa.select(Attachment))
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/portfolio/attachments/{photo.id}/remove").status_code == 400
    assert _fresh(session, Attachment, photo.id) is not None


def test_only_the_candidate_may_remove_a_file(app, client, login, session, team, make_user,
                                              make_item):
    item = make_item("cbd", status="submitted")
    login(client, team.candidate)
    assert _upload(client, item.id, _png()).status_code == 302
    photo = session.scalar(sa.select(Attachment))
    url = f"/portfolio/attachments/{photo.id}/remove"
    assert client.get(url).status_code == 200  # its candidate is asked to confirm
    for person in (team.primary, make_user("other@example.nhs.uk")):
        other = app.test_client()
        login(other, person)
        assert other.get(url).status_code == 404 and other.post(url).status_code == 404
    assert _fresh(session, Attachment, photo.id) is not None


def _cut_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(buffer, "JPEG")
    return buffer.getvalue()[:3000]


@pytest.mark.parametrize("name, make, message", [
    ("fake.png", lambda: b"\x89PNG\r\n\x1a\n" + b"not an image" * 20, "not a PNG image that can be opened"),
    ("huge.png", _huge_png, "too large"),
    ("cut.png", lambda: _png((300, 300))[:200], "not a PNG image that can be opened"),
    ("cut.jpg", _cut_jpeg, "not a JPEG image that can be opened"),
    ("fake.pdf", lambda: b"%PDF-1.7\n" + b"nothing here\n" * 10, "not a PDF that can be opened"),
])
def test_a_file_that_cannot_be_opened_is_refused_beside_the_field(app, client, login, session, team,
                                                                   make_item, tmp_path, name, make,
                                                                   message):
    item = make_item("cbd", status="draft")
    login(client, team.candidate)
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES  # the PDF renderer's setting, left as it was
    response = _upload(client, item.id, make(), name)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is lenient
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert 'href="#file"' in page and "nhsuk-error-summary" in page  # the summary links to it
    assert 'id="file-error"' in page and "nhsuk-form-group--error" in page
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
    assert not list((tmp_path / "attachments").glob("*/*"))  # nothing was stored


def test_photos_lose_their_metadata_and_are_turned_upright(app, client, login, session, team,
                                                           make_item):
    exif = Image.Exif()
    exif[0x010F], exif[0x0112] = "SecretCam", 6  # maker, and "rotate 90 degrees to view"
    exif.get_ifd(0x8825)[2] = (51.0, 30.0, 0.0)  # a GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(buffer, "JPEG", exif=exif, comment=b"ward 7")
    photo = buffer.getvalue()
    assert b"SecretCam" in photo and b"ward 7" in photo
    item = make_item("cbd", status="draft")
    login(client, team.candidate)
    assert _upload(client, item.id, photo, "photo.jpg").status_code == 302
    assert _upload(client, item.id, _png(text={"Author": "Jo Patient"}), "scan.png").status_code == 302
    kept = session.scalars(sa.select(Attachment).order_by(Attachment.id)).all()
    for row in kept:
        with client.get(f"/portfolio/attachments/{row.id}") as download:
            data = download.get_data()
        assert b"SecretCam" not in data and b"ward 7" not in data and b"Jo Patient" not in data
        image = Image.open(io.BytesIO(data))
        assert dict(image.getexif()) == {} and image.format == {"photo.jpg": "JPEG",
                                                                "scan.png": "PNG"}[row.filename]
        assert row.size_bytes == len(data)
    assert Image.open(io.BytesIO(storage.current(app).get(kept[0].sha256))).size == (20, 40)


def test_file_names_are_cleaned_at_upload(app, client, login, session, team, make_item):
    """RFC 2231 names (filename*) are percent-decoded by the form parser: CR, LF, NUL get in."""
    item = make_item("cbd", status="draft")
    login(client, team.candidate)
    name = "..%2F..%5Cevil%0D%0Aname%00%E2%80%AEgnp.png"
    body = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''"
            + name.encode() + b"\r\nContent-Type: image/png\r\n\r\n" + _png() + b"\r\n--b--\r\n")
    response = client.post(f"/portfolio/evidence/{item.id}/attachments", data=body,
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 302
    row = session.scalar(sa.select(Attachment))
    assert row.filename == "evil namegnp.png"
    with client.get(f"/portfolio/attachments/{row.id}") as download:
        assert download.status_code == 200
        assert download.headers["Content-Disposition"] == 'attachment; filename="evil namegnp.png"'


@pytest.mark.parametrize("sent, kept", [
    ("\u202egnp.exe", "gnp.exe.png"),  # a bidi override made "exe.png" look like a picture
    ("photo.JPG", "photo.JPG.png"),
    ("photo.PNG", "photo.PNG"),
    ("x" * 300 + ".pdf", "x" * 146 + ".png"),
])
def test_a_kept_name_ends_in_what_the_file_is(app, client, login, session, team, make_item,
                                              sent, kept):
    item = make_item("cbd", status="draft")
    login(client, team.candidate)
    response = client.post(f"/portfolio/evidence/{item.id}/attachments",
                           data={"file": (io.BytesIO(_png()), sent)},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert session.scalar(sa.select(Attachment.filename)) == kept


@pytest.mark.parametrize("stored, header", [
    ("report\r\nSet-Cookie: x=1.png", 'attachment; filename="report Set-Cookie: x=1.png"'),
    ("名前\n.png", "attachment; filename=\" .png\"; filename*=UTF-8''%E5%90%8D%E5%89%8D%20.png"),
    ("scan.pdf", "attachment; filename=scan.pdf.png"),  # the name said PDF; the file is a PNG
])
def test_a_file_stored_with_a_bad_name_still_downloads(app, client, login, session, team,
                                                       make_item, stored, header):
    item = make_item("cbd", status="draft")
    login(client, team.candidate)
    assert _upload(client, item.id, _png()).status_code == 302
    session.execute(sa.update(Attachment).values(filename=stored))  # as uploads once kept them
    session.commit()
    row = session.scalar(sa.select(Attachment))
    with client.get(f"/portfolio/attachments/{row.id}") as download:
        assert download.status_code == 200 and download.headers["Content-Disposition"] == header
        assert "Set-Cookie" not in download.headers


def test_the_migration_cleans_names_stored_before(tmp_path):
    """Revision c13a00000002 cleans stored names; only the attachments table is touched."""
    from roadmap import migrate
    from tests.fixtures.databases import BACKEND, fresh_postgres_database, run_mark

    if BACKEND == "postgresql":
        url = fresh_postgres_database(f"roadmap_test_names_{run_mark()}")
        bad = ["a\r\nb.pdf", "\u202egnp.exe", "../../etc/x.png", "fine.pdf"]  # no NUL in text
    else:
        url = f"sqlite:///{tmp_path / 'names.sqlite3'}"
        bad = ["a\r\nb.pdf", "\u202egnp.exe", "../../etc/x.png", "fine.pdf", "nul\x00.png"]
    migrate.upgrade(url, "4d7e2a91c3b5")
    engine = sa.create_engine(sa.engine.make_url(url).set(
        drivername="postgresql+psycopg" if BACKEND == "postgresql" else "sqlite"))
    with engine.begin() as connection:
        if BACKEND == "postgresql":  # rows without their users and items, as a bare fixture
            connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for number, name in enumerate(bad, start=1):
            connection.execute(sa.text(
                "INSERT INTO attachments (id, evidence_id, filename, media_type, size_bytes, "
                "sha256, uploaded_by_id, uploaded_at) VALUES (:id, 1, :name, 'image/png', 1, "
                ":sha, 1, CURRENT_TIMESTAMP)"), {"id": number, "name": name, "sha": "a" * 64})
    migrate.upgrade(url, "c13a00000002")
    with engine.connect() as connection:
        names = connection.scalars(sa.text("SELECT filename FROM attachments ORDER BY id")).all()
    engine.dispose()
    assert names == ["a b.pdf", "gnp.exe", "x.png", "fine.pdf", "nul.png"][:len(bad)]
