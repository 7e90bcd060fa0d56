"""Attachment stores: the local folder and an S3-compatible bucket (moto's server on localhost).

The tests that build an app here keep attachments in the bucket whatever TEST_STORAGE says, so
S3 is covered on every pass; the rest of the suite follows TEST_STORAGE.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import time
import zipfile

import boto3
import pytest
from PIL import Image
from pypdf import PdfReader

from roadmap import create_app, storage
from roadmap.config import ConfigError
from roadmap.exports import parallel, pruning
from roadmap.portfolio.uploads import check
from roadmap.storage.s3 import S3Store
from tests.fixtures.storage import S3_REGION


def _red_square() -> bytes:
    """A 2 x 2 red PNG, small enough to read in a test and real enough for WeasyPrint to draw."""
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _red_square()
KEPT_PNG = check(PNG).data  # uploaded images are re-encoded: these are the bytes kept


def _certificate() -> bytes:
    """A one-page PDF with text: uploads are opened and their text read, so it must be a real
    one (a page of no text asks the candidate to look it over before it is kept)."""
    from tests.fixtures import documents

    return documents.pdf("Certificate of completion: shoulder injection course")


DATA = _certificate()
KEY = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(scope="module", autouse=True)
def _stop_workers():
    yield
    parallel.shutdown()


@pytest.fixture
def app_config(app_config, tmp_path, s3_bucket, s3_endpoint):
    """Attachments in this worker's bucket, under a prefix of this test's own."""
    app_config.update(STORAGE="s3", S3_BUCKET=s3_bucket, S3_ENDPOINT_URL=s3_endpoint,
                      S3_PREFIX=f"{tmp_path.name}/", ATTACHMENT_DIR=str(tmp_path / "local"),
                      EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1)
    return app_config


def _s3(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name=S3_REGION)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_local_store_round_trips_in_the_existing_layout(tmp_path):
    store = storage.LocalStore(tmp_path / "files")
    assert not store.exists(KEY)
    store.put(KEY, DATA)
    # The layout attachments have always had, so folders kept before keep working.
    assert (tmp_path / "files" / KEY[:2] / KEY).read_bytes() == DATA
    assert store.exists(KEY) and store.get(KEY) == DATA
    with store.open(KEY) as stream:
        assert stream.read() == DATA
    store.put(KEY, DATA)  # idempotent: the same content is kept once
    assert sorted(p.name for p in (tmp_path / "files").rglob("*") if p.is_file()) == [KEY]
    missing = "ab" + "0" * 62
    with pytest.raises(storage.MissingObject):
        store.get(missing)
    with pytest.raises(storage.MissingObject):
        store.open(missing)
    for bad in ("../../etc/passwd", "/etc/passwd", "ab/cd", ""):
        with pytest.raises(ValueError):
            store.put(bad, DATA)
    store.check()
    assert store.describe() == "local folder"


def test_the_local_store_check_says_when_the_folder_cannot_be_written(tmp_path):
    (tmp_path / "taken").write_text("a file where the folder should be")
    with pytest.raises(storage.StorageError, match="attachment folder cannot be written"):
        storage.LocalStore(tmp_path / "taken" / "files").check()


def test_the_s3_store_round_trips_under_its_prefix(s3_bucket, s3_endpoint, tmp_path):
    store = S3Store(s3_bucket, f"/{tmp_path.name}/", s3_endpoint, S3_REGION)
    assert not store.exists(KEY)
    store.put(KEY, DATA)
    name = f"{tmp_path.name}/{KEY[:2]}/{KEY}"
    assert _s3(s3_endpoint).get_object(Bucket=s3_bucket, Key=name)["Body"].read() == DATA
    assert store.exists(KEY) and store.get(KEY) == DATA
    with store.open(KEY) as stream:
        assert stream.read(5) + stream.read() == DATA
    store.put(KEY, DATA)
    listed = _s3(s3_endpoint).list_objects_v2(Bucket=s3_bucket, Prefix=f"{tmp_path.name}/")
    assert [o["Key"] for o in listed["Contents"]] == [name]
    missing = "ab" + "0" * 62
    with pytest.raises(storage.MissingObject):
        store.get(missing)
    with pytest.raises(storage.MissingObject):
        store.open(missing)
    assert not store.exists(missing)
    with pytest.raises(ValueError):
        store.get("../secrets")
    store.check()  # it writes one small object beside the files, under the prefix
    listed = _s3(s3_endpoint).list_objects_v2(Bucket=s3_bucket, Prefix=f"{tmp_path.name}/")
    assert sorted(o["Key"] for o in listed["Contents"]) == [f"{tmp_path.name}/.roadmap-check",
                                                            name]
    assert store.describe() == f"s3 bucket {s3_bucket}"


def test_the_s3_check_says_clearly_what_is_wrong(s3_endpoint):
    with pytest.raises(storage.StorageError, match="the bucket does not exist") as no_bucket:
        S3Store("no-such-bucket", "", s3_endpoint, S3_REGION).check()
    assert "s3 bucket no-such-bucket" in str(no_bucket.value)
    unreachable = f"http://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    with pytest.raises(storage.StorageError, match="could not reach the bucket") as down:
        S3Store("roadmap", "", unreachable, S3_REGION).check()
    assert unreachable in str(down.value)
    assert time.monotonic() - started < 10  # a health check must answer soon


def test_settings_choose_the_store_and_refuse_s3_without_a_bucket(app, s3_bucket, tmp_path):
    store = storage.current(app)
    assert isinstance(store, S3Store) and store is storage.current(app)
    assert store.describe() == f"s3 bucket {s3_bucket}"
    local = create_app({"TESTING": True, "DATABASE_URL": "sqlite://",
                        "ATTACHMENT_DIR": str(tmp_path / "files")})
    assert storage.current(local).describe() == "local folder"
    with pytest.raises(ConfigError, match="ROADMAP_STORAGE=s3 needs ROADMAP_S3_BUCKET"):
        create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "STORAGE": "s3"})
    with pytest.raises(ConfigError, match="ROADMAP_STORAGE must be local or s3"):
        create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "STORAGE": "ftp"})


def test_an_upload_lands_in_the_bucket_and_downloads_byte_identical(
        app, client, login, session, team, make_item, s3_bucket, s3_endpoint, tmp_path):
    item = make_item("cbd", status="draft")
    login(client, team.candidate)
    response = client.post(f"/portfolio/evidence/{item.id}/attachments",
                           data={"file": (io.BytesIO(DATA), "certificate.pdf")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "certificate.pdf is attached" in response.get_data(as_text=True)
    stored = _s3(s3_endpoint).get_object(Bucket=s3_bucket,
                                         Key=f"{tmp_path.name}/{KEY[:2]}/{KEY}")
    assert stored["Body"].read() == DATA
    assert not (tmp_path / "local").exists()  # nothing went to the local folder
    page = client.get(f"/portfolio/evidence/{item.id}").get_data(as_text=True)
    link = page.split('href="/portfolio/attachments/')[1].split('"')[0]
    download = client.get(f"/portfolio/attachments/{link}")
    assert download.status_code == 200 and download.data == DATA
    assert download.headers["Content-Length"] == str(len(DATA))
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()
    _s3(s3_endpoint).delete_object(Bucket=s3_bucket, Key=f"{tmp_path.name}/{KEY[:2]}/{KEY}")
    assert client.get(f"/portfolio/attachments/{link}").status_code == 404


def test_an_upload_the_store_cannot_take_is_refused_plainly(
        app, client, login, team, make_item):
    app.config.update(S3_BUCKET="no-such-bucket")  # read when the store is first built
    item = make_item("cbd", status="draft")
    login(client, team.candidate)
    page = client.post(f"/portfolio/evidence/{item.id}/attachments",
                       data={"file": (io.BytesIO(DATA), "certificate.pdf")},
                       content_type="multipart/form-data",
                       follow_redirects=True).get_data(as_text=True)
    assert "could not be saved just now" in page and "is attached" not in page


def _export(client, enrolment_id: int, kind: str) -> bytes:
    response = client.post(f"/exports/enrolment/{enrolment_id}/{kind}")
    assert response.status_code == 302, response.data[:500]
    download = client.get(response.headers["Location"] + "/download")
    assert download.status_code == 200
    data = download.get_data()
    download.close()
    return data


def test_the_pdf_and_zip_of_a_portfolio_with_an_image_work_from_the_bucket(
        app, client, login, session, team, make_item, tmp_path):
    item = make_item("cbd", status="submitted", headings=("1",))
    with app.test_request_context():
        from roadmap.portfolio import attachments

        attachments.add(session, item, team.candidate, "knee.png", PNG)
    session.commit()
    login(client, team.candidate)

    pdf = PdfReader(io.BytesIO(_export(client, team.enrolment.id, "pdf")))
    images = [image for page in pdf.pages for image in page.images]
    assert len(images) == 1 and images[0].image.size == (2, 2)
    png_key = hashlib.sha256(KEPT_PNG).hexdigest()
    copy = tmp_path / "exports" / "images" / png_key[:2] / f"{png_key}.1"
    with Image.open(copy) as printed:  # the renderer read a print copy under EXPORT_DIR
        assert printed.format == "PNG" and printed.size == (2, 2)
    assert not (tmp_path / "local").exists()

    archive = zipfile.ZipFile(io.BytesIO(_export(client, team.enrolment.id, "zip")))
    data = json.loads(archive.read("data.json"))
    files = [a for e in data["evidence"] for a in e["attachments"]]
    assert [f["filename"] for f in files] == ["knee.png"]
    assert archive.read(files[0]["path"]) == KEPT_PNG
    assert archive.read("portfolio.pdf").startswith(b"%PDF-")

    os.utime(copy, (time.time() - 3 * 86400,) * 2)  # no export has used it for three days
    pruning.prune(app)  # what every new export job runs first
    assert not copy.exists(), "the renderer's copy of personal data is forgotten"
    assert _s3(app.config["S3_ENDPOINT_URL"]).get_object(
        Bucket=app.config["S3_BUCKET"], Key=f"{tmp_path.name}/{png_key[:2]}/{png_key}"
    )["Body"].read() == KEPT_PNG  # the attachment itself stays


def test_copies_left_by_older_releases_are_pruned_but_never_the_store(app_config, tmp_path):
    legacy = tmp_path / "exports" / "attachments" / KEY[:2] / KEY
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(DATA)
    app = create_app({**app_config, "EXPORT_DIR": str(tmp_path / "exports")})
    pruning.prune(app)
    assert legacy.exists(), "used lately"
    os.utime(legacy, (time.time() - 3 * 86400,) * 2)
    pruning.prune(app)
    assert not legacy.exists(), "an old copy of personal data is forgotten"
    # A local store whose folder is that very folder is never pruned.
    kept = tmp_path / "exports" / "attachments" / KEY[:2] / KEY
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(DATA)
    os.utime(kept, (time.time() - 3 * 86400,) * 2)
    own = create_app({**app_config, "STORAGE": "local", "EXPORT_DIR": str(tmp_path / "exports"),
                      "ATTACHMENT_DIR": str(tmp_path / "exports" / "attachments")})
    pruning.prune(own)
    assert kept.exists()
