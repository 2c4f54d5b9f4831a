"""The network patron card: one patron's accounts at every member."""
