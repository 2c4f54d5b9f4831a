"""Running a client's operation across the members."""
