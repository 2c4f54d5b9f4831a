"""Composition: from the contract and the members' SDL to the network schema."""
