"""Use cases: plain functions over a unit of work and the other ports."""
