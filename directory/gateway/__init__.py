"""Chat gateway between the browser and the Rasa REST channel."""
