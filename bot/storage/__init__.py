"""Storage: the ports everything depends on, and their SQLite implementation."""
