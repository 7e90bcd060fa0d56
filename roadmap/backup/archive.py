"""The backup file: one ZIP holding manifest.json, the database dump and maybe attachments/."""
from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath
from typing import Iterator, Optional

from roadmap.backup.manifest import BackupError, Manifest

MANIFEST = "manifest.json"
ATTACHMENTS = "attachments/"
CHUNK = 1024 * 1024


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def attachment_files(folder: Optional[Path]) -> list[Path]:
    """Files kept in the attachment folder, leaving out half-written uploads."""
    if folder is None or not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".part"))


def write(out: Path, manifest: Manifest, dump: Path, folder: Optional[Path],
          files: list[Path]) -> None:
    """Write the archive beside OUT and rename it into place, so OUT is never half written."""
    partial = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        # A pg_dump custom archive is compressed already; an SQLite file shrinks well.
        method = zipfile.ZIP_STORED if manifest.database == "postgresql" else zipfile.ZIP_DEFLATED
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            archive.writestr(MANIFEST, manifest.to_json())
            archive.write(dump, manifest.dump_name, compress_type=method)
            for path in files:
                assert folder is not None
                archive.write(path, ATTACHMENTS + path.relative_to(folder).as_posix())
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


class BackupArchive:
    """An open backup file: its manifest, and its dump and attachments to extract."""

    def __init__(self, path: Path) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise BackupError(f"there is no file {path}") from None
        except zipfile.BadZipFile:
            raise BackupError(f"{path} is not a Roadmap backup (it is not a ZIP archive)") from None
        try:
            self.manifest = Manifest.from_json(self.zip.read(MANIFEST).decode("utf-8"))
        except KeyError:
            self.zip.close()
            raise BackupError(f"{path} is not a Roadmap backup (it has no {MANIFEST})") from None
        except BackupError:
            self.zip.close()
            raise

    def __enter__(self) -> "BackupArchive":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.zip.close()

    def extract_dump(self, folder: Path) -> Path:
        """Extract the dump, refusing it when it is not byte for byte what the manifest names."""
        target = folder / PurePosixPath(self.manifest.dump_name).name
        try:
            with self.zip.open(self.manifest.dump_name) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
        except KeyError:
            raise BackupError(f"the backup has no {self.manifest.dump_name}, "
                              "which its manifest names") from None
        except zipfile.BadZipFile as error:
            raise BackupError(f"the backup is damaged: {error}") from None
        if sha256_of(target) != self.manifest.dump_sha256:
            raise BackupError("the database dump in the backup does not match the checksum in "
                              "its manifest: the file was changed or damaged after it was made")
        return target

    def attachment_entries(self) -> Iterator[tuple[zipfile.ZipInfo, PurePosixPath]]:
        """The archive's attachment files with their path below the attachment folder."""
        for info in self.zip.infolist():
            if not info.filename.startswith(ATTACHMENTS) or info.is_dir():
                continue
            relative = PurePosixPath(info.filename[len(ATTACHMENTS):])
            if relative.is_absolute() or ".." in relative.parts or not relative.parts:
                raise BackupError(f"the backup holds an unsafe file name: {info.filename}")
            yield info, relative

    def extract_attachments(self, folder: Path) -> int:
        """Put the attachments into FOLDER, which is made afresh beside the old one."""
        fresh = folder.with_name(f".{folder.name}.restoring")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
        count = 0
        for info, relative in self.attachment_entries():
            target = fresh.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with self.zip.open(info) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
            count += 1
        if folder.exists():
            folder.rmdir()  # the caller moved any files aside; an empty folder is in the way
        os.replace(fresh, folder)
        return count
