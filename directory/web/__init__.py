"""Chat page served by the directory service."""
