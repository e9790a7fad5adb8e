"""Rasa event brokers of the assistant (loaded by Rasa through bot/endpoints.yml)."""
