"""The contract: the declared schema and the model built from it, YAML with line numbers,
problems, the plugin's settings, and the URLs of every page. Imports nothing else of kb."""
