"""Fine-tuning of the sentence encoder that the situation classifier reads."""
