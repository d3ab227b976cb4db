"""The stores, written once in the SQL both backends speak (SQLite and PostgreSQL).

Each store talks to a `conn.SqlDatabase`: `?` placeholders, ON CONFLICT upserts,
RETURNING, IS NOT DISTINCT FROM. What differs between the engines (connecting,
the schema's column types, listing tables, locking) lives in the backend
packages, bot.storage.sqlite and bot.storage.postgres.
"""
