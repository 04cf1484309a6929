"""Plotly figures built from the domain's results (Plotly is allowed only in dashboard/)."""
