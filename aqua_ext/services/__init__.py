"""Backend-agnostic rules: catalog filtering, memory fit, long-running operations. No tornado here."""
