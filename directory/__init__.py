"""Speak Out Space directory service: support directory, signposting and chat API."""
