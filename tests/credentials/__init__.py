"""Tests of the Open Badges 3.0 credentials: issue, publish, check online and offline, revoke."""
