"""civicshield: self-hosted protection for public officials against online attacks."""

__version__ = "0.1.0"
