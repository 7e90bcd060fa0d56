"""Browser tests: real Chromium through Playwright against the app on a real port."""
