"""The steps of the core (handlers/core.py runs them in order). Each takes the
event's Context and returns the replies that end the event there, or None to
go on to the next step."""
