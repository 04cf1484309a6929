"""The steerco domain: scorecard definitions, targets, scoring, drift statistics, reviews.

Pure: no I/O, no database, no web framework. Every other package may import it.
"""
