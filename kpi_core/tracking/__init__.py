"""How a period is going: progress, pace and forecast, morning digests, and when reminders and
digests fall due."""
