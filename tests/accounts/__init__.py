"""Tests of roadmap.accounts: sign-in, second factor, invitations, throttling."""
