"""Turning a plan into daily work: working-day calendars, exact quotas, team splits over vacant
seats, the reverse funnel and the achievability check."""
