"""Analyses over a whole scenario: the zone of agreement (:mod:`.explore`), nearest deals (:mod:`.repair`),
variants side by side (:mod:`.compare`), conflicts and concessions (:mod:`.conflicts`).

Each analysis is a free function from a :class:`~dealcheck.model.Scenario` to a frozen report with its own
``exit_code``; :mod:`dealcheck.report.analyses` renders them. Solvers are imported only when an analysis runs.
"""
