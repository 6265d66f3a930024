"""Interactive review (`gomapfix --interactive`): one question per fix, one key per answer.

interactive.py runs a review; plan.py chooses what to ask, session.py holds the state machine,
prompt.py reads keys, render.py prints, decisions.py remembers rejected fixes."""
