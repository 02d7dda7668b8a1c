"""Renderers: one module per output format, behind a registry that also feeds ``--format``'s choices."""
