"""Surveys (DESIGN.md §6, docs/surveys.md): questionnaires, invitations and their links,
the invitation rules (delay, sampling, fatigue, exclusions, expiry), response validation and
storage with anonymity, delivery by email or as links, exports and the demo's surveys.

Functions take a SQLAlchemy ``Connection`` and never commit: the caller owns the
transaction. Flask appears only in ``dashboard.survey_form`` and ``dashboard.api``.
"""
