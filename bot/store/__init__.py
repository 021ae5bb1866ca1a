"""Durable storage through SQLAlchemy 1.4 in 2.0 style. SQLite by default, PostgreSQL in production."""
