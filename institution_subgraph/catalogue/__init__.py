"""The catalogue of one institution: MARC records mapped to its own terms,
the shelves and copies it holds, and the import that loads both."""
