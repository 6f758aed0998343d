"""Verified reviews: only the customer of a won lead may rate its partner, once.

Write side: ``requests`` (the link sent when a lead is won, in the lead's own unit of work)
and ``writes`` (the review, the partner's one reply, moderation). Read side: ``read``.
This package never imports core.leads (core.leads.lifecycle imports it).
"""
