"""Each role's home page, the front door and the health check."""
