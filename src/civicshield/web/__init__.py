"""The web adapter: the server-rendered dashboard and the versioned JSON API."""
