"""KPI Coach domain core.

Pure Python, standard library only: the KPI catalog, recommendation, questionnaire, working-day
quotas, progress and pace, the reverse funnel, number parsing, reminder planning and the use
cases that run over the ports in :mod:`kpi_core.ports`. Nothing here knows about Telegram, a
database or a translation library; user-facing text leaves this package as
:class:`kpi_core.messages.Message` values (an English msgid plus parameters).
"""
