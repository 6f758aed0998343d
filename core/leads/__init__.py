"""Write side of leads: contact requests from visitors and the lead life cycle partners work.
Every change is audited through a unit of work."""
