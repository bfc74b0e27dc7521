"""Storage: the SQL schema, migrations, the append-only log and its hash chain."""
