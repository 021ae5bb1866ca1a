"""The legal FAQ knowledge base: statute texts, FAQ entries, checks and retrieval."""
