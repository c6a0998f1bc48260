"""A session's meaning, without Qt: its steps, what it holds, and how the facilitator changes it.

The screens, the report, the exports, assemblies and the CLI read a session and change it through
this package; the store below it keeps the rows.
"""
