"""Writing pages safely: escaping, sanitizing a narrative, the template environment,
deferred HTML with its table of contents, times, charts, the reference tables."""
