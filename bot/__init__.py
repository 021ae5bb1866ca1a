"""12348 legal-consultation assistant: domain logic, NLU components, CLI."""

__version__ = "0.1.0"
