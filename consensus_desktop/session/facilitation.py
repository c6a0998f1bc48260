"""One facilitated session, step by step: the logic behind the app's screens (no Qt).

The screens call this object and show what it returns; everything a participant or the facilitator
confirms goes straight to the store. Reopening a session resumes at the step it was on.

Steps: setup -> intro (each participant reads what the session is and agrees) -> baseline -> opinions -> generation -> tradeoffs -> rating -> (critique ->
generation -> tradeoffs -> rating) -> results.

Recovery, each step logged in the event log: regenerate (a new run in the same round; the old
candidates stay in the pool), edit a candidate's wording before rating (a new candidate that
replaces the old one), undo the last baseline/opinion/rating/critique, mark a participant absent
(welfare and pending lists then cover those present), add a late participant, and a critique round
decided on the result screen.
"""

from __future__ import annotations

from consensus_desktop.session.choice import Choice
from consensus_desktop.session.entries import Entries
from consensus_desktop.session.roster import Roster
from consensus_desktop.session.rounds import Rounds


class Facilitation(Roster, Entries, Rounds, Choice):
    """One session as the screens, the report and the CLI use it: the read model
    (``SessionQueries``, ``SessionResults``) and the actions of each part of the session."""
