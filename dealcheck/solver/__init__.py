"""Backends: compilers from the checked model (:mod:`dealcheck.rules.ir`) to solvers.

Each backend module imports its solver inside the functions that solve, so loading dealcheck never pays for one.
"""
