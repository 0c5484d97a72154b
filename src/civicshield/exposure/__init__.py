"""Exposure audit: find the protected person's data in files and on web sites, and get it removed.

``extract`` turns files into text, ``crawl`` fetches pages politely, ``scanner`` finds the
profile's identifiers in them, ``service`` stores, tracks and reports (the service's
``exposure`` part).
"""
