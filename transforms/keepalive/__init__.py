"""keepalive."""
