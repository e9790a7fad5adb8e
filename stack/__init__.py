"""Starts the assistant's processes on one machine, for `make run` and tests."""
