"""SQLite storage: tables, migrations, the repository and the unit of work."""
