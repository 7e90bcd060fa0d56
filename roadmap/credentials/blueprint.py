"""The credentials blueprint: the published keys, profile and status lists, the holder's
credential, its shareable page, and the check of a pasted or uploaded credential."""
from __future__ import annotations

from flask import Blueprint

from roadmap.web.reach import Reach

bp = Blueprint("credentials", __name__)
HOLDER = {Reach.OWNER}  # the credential is the practitioner's to download and share
UPLOAD_LARGEST = 512 * 1024  # a credential or badge image is a few kilobytes
