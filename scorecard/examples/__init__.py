"""Example scorecards shipped with steerco (docs/scorecards.md): package data, read with
``scorecard.definition.example_text``."""
