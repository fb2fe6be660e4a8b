"""Alembic migrations for the KPI Coach schema (run them with ``kpi-coach db upgrade``).

This is a package so that the migrations ship inside the wheel; :mod:`bot.storage.db` finds
this directory through ``migrations.__file__``.
"""
