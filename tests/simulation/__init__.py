"""The seeded simulation: weeks of a community and bad nights, checked after every night."""
