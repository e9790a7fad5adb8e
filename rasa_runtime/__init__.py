"""Runs Rasa 3.6 with the assistant's fixes (``python -m rasa_runtime run ...``)."""
