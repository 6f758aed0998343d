"""Offline US geography: ZIP codes, cities, states, distances and state shapes.
Shared by every package; knows nothing of partners."""
