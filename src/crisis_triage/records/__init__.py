"""Durable call records: the journal of events, SQLite (embedded) and PostgreSQL (a centre) stores."""
