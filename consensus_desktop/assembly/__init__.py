"""Assemblies: many tables, one plenary statement (no Qt, no llama.cpp of its own).

Each table runs the normal session and exports its file (``tables``: reading and checking them);
the plenary writes candidates from the tables' statements and predicts every member's agreement
(``plenary``); the plenary and the tables it came from are recorded all or nothing (``record``).
"""
