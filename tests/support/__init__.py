"""Test support shared by the project's own tests: real PostgreSQL, real servers."""
