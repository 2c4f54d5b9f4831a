"""Talking to the member institutions' subgraphs."""
