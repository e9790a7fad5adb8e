"""Reviewer pages over the redacted conversation logs.

Reviewers list and read conversations, flag turns that the assistant
misunderstood and export the checked flags as Rasa NLU training data. The
dashboard and the quarterly CSV count conversations by characteristic, area,
reading, routes offered and campaign source.
"""
