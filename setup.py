__import__("setuptools").setup()  # legacy shim: pip and python -m build use pyproject.toml; do not run directly
