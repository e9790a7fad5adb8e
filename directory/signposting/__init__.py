"""Signposting: from a visitor's situation to a reading, an explanation and routes."""
