"""Trello boards: the API adapter, reading exports and API answers into the model, list mapping."""
