"""The rule language: source tree, parser, checker, checked tree, evaluator, printer.

Knows nothing of YAML, files or solvers; imports only the standard library, attrs and :mod:`dealcheck.errors`.
"""
