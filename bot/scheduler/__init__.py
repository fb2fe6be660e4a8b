"""Database-backed scheduling: delivery planner, dispatcher, rate-limited sending."""
