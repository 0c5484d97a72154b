"""Built-in detectors, one module each, registered through the plugin hooks like any plugin."""
