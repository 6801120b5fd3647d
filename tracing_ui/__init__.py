"""One booking followed in a tracing UI (Arize Phoenix) in headless Chromium: `python -m tracing_ui`."""
