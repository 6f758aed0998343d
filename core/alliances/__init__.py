"""Partner to partner: teaming introductions and the standing alliances they become.

Write side in ``writes`` (propose, accept/decline, withdraw, end, show on profile; every
write checks the asking account and is audited); read side in ``read``. An introduction
may also link a free-text ally name of a business service to the real profile.
"""
