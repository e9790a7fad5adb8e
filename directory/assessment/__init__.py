"""Assessment API: situation labels and signposting for one message."""
