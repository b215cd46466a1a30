"""Finding and reading sources: postmortem files, the data files, the project's mkdocs.yml,
a new postmortem's skeleton, and the parse cache a caller passes in. Imports only kb.format."""
