def pytest_configure(config):  # type: ignore[no-untyped-def]
    # Here rather than in pyproject.toml, whose hash decides when ./hotline reinstalls the venv.
    config.addinivalue_line("markers", "replicas: starts `hotline run --replicas 2` (PostgreSQL, Redis, nginx)")
