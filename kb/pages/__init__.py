"""Every page the library generates, one module each: a view model for its template in
``templates/``, rendered into Markdown and deferred HTML (``kb.render.deferred.Rendered``)."""
