"""Rasa action server of the Speak Out Space assistant.

Actions stay thin: they turn slots into a situation, ask the directory service
for routes, and send the replies. The signposting rules live in the directory
service, not here.
"""
