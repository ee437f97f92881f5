# The root conftest is the reliable place to load pytest-jupyter's fixtures (jp_fetch & co).
pytest_plugins = ("pytest_jupyter.jupyter_server",)
