"""Database access: engine and sessions, table definitions, migrations, embedded server."""
