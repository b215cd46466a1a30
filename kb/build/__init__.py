"""Running a build: the pipeline and its stages, the worker process and its messages, the
memory policy, and stage timing."""
