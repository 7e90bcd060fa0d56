"""Attachment names are cleaned of control characters, folders and leading dots.

Names stored before uploads were cleaned may hold CR, LF or NUL, which no download header may
carry. The attachments table is not append-only and no signature made before this change
covers a file name (signed content recipe 1 lists no files), so cleaning names breaks nothing
signed. The cleaning is a frozen copy of roadmap.portfolio.uploads.clean_filename as it stood.
There is no way back to the old names: downgrade leaves them clean.

Revision ID: c13a00000002
Revises: c13a00000001
Create Date: 2026-12-06 12:00:00
"""
import os
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = 'c13a00000002'
down_revision = 'c13a00000001'
branch_labels = None
depends_on = None

_HIDDEN = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
_SEPARATORS = re.compile(r"[/\\]+")
MAX_NAME = 150


def clean(name):
    text = unicodedata.normalize("NFC", str(name or ""))
    text = _SEPARATORS.split(text)[-1]
    text = "".join(" " if ch.isspace() else ch for ch in text
                   if ch.isspace() or unicodedata.category(ch) not in _HIDDEN)
    text = " ".join(text.split()).lstrip(". ").rstrip(" ")
    if len(text) > MAX_NAME:
        stem, extension = os.path.splitext(text)
        extension = extension if len(extension) <= 16 else ""
        text = stem[:MAX_NAME - len(extension)].rstrip(" .") + extension
    return text or "attachment"


def upgrade() -> None:
    connection = op.get_bind()
    attachments = sa.table("attachments", sa.column("id", sa.Integer),
                           sa.column("filename", sa.String))
    last = 0
    while True:  # in batches by id, so a large table never sits in memory at once
        rows = connection.execute(sa.select(attachments.c.id, attachments.c.filename)
                                  .where(attachments.c.id > last)
                                  .order_by(attachments.c.id).limit(1000)).all()
        if not rows:
            return
        for attachment_id, filename in rows:
            cleaned = clean(filename)
            if cleaned != filename:
                connection.execute(attachments.update().where(attachments.c.id == attachment_id)
                                   .values(filename=cleaned))
        last = rows[-1][0]


def downgrade() -> None:
    pass  # the old names held characters no header may carry; they are not put back
