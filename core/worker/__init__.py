"""The worker: time moves without a user (deadlines, reminders, delivery, summaries)."""
