"""Rasa tracker stores of the assistant (loaded by Rasa through its endpoints file)."""
