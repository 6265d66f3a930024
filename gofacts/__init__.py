"""gofacts."""
