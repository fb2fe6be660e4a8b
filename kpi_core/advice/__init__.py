"""What to track: the KPI catalog as data, the profile a questionnaire builds, the questionnaire
itself (data + a pure ``advance``), and the recommendation."""
