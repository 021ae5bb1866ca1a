"""Input channels beyond Rasa's own."""
