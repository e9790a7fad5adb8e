"""Demonstration page of the site with the chat widget, and the widget's files."""
