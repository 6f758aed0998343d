"""Routing of vendor leads: offers to members by the campaign's rules, with deadlines."""
