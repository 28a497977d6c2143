"""The OPP-115 corpus format: reading it (reader), and importing it into the graph."""
