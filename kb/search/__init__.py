"""Full-text search: the engine interface and what it indexes, Whoosh and tantivy behind it,
and Pagefind's index of the built site."""
