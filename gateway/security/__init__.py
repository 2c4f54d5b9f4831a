"""What the gateway refuses before any member is asked: oversized or
abusive operations, and clients over their rate."""
