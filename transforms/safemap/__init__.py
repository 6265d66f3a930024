"""safemap."""
