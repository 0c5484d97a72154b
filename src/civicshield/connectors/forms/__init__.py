"""Contact-form exports (CSV or Excel) read through a column mapping."""
