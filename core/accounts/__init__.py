"""Write side of sign-in: accounts, passwords, sessions and their administration.
Every change is audited through a unit of work."""
