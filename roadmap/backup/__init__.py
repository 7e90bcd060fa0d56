"""`roadmap backup` and `roadmap restore`: one archive holding a database dump and its manifest.

The manifest records what the dump must hold (row counts per table, the last audit event's
hash, the schema revision), so a restore can prove it put back exactly what was backed up.
"""
