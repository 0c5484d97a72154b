"""Pure functions from domain objects to files: the evidence packet (ZIP) and its PDF report."""
