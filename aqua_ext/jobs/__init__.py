"""Jobs that run outside the Jupyter server process (fine-tuning, ...)."""
