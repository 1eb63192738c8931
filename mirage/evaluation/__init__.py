"""Measuring MIRAGE on a user's own data: retrieval quality and speed."""
