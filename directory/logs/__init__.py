"""Redacted conversation logs: capture from Rasa events, retention and erasure.

Rasa publishes every tracker event to an event broker. The directory service
receives the events (over loopback HTTP or from a RabbitMQ queue), redacts the
visitor's text and personal entity values in memory, and stores one row per
visitor turn. Raw text is never written to the database or to a log.
"""
