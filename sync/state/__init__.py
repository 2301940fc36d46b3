"""The state store: SQLite, its migrations, the records it hands back, and opening it read-only."""
