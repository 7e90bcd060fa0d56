"""Tests of the core (app factory, settings, database, migrations, mail, links, storage, CLI, server)."""
