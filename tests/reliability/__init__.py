"""The whole program under faults, kills, signals, generated bad input and rate limits; secrets
never leak."""
