"""The local backend: SQLite state, real engines and jobs on this machine."""
