"""Import Open Terms Archive versions repositories (policies over time)."""
