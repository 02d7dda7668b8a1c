"""Test support shipped with dealcheck: hypothesis strategies and the pytest plugin."""
