"""Importers for real export formats: one folder per data source."""
