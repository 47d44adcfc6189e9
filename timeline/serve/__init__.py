"""Live preview (``timeline serve``): watch the site's files, rebuild, serve and reload the browser.

``watch`` turns file system events into debounced rebuild requests, ``builder`` runs the rebuilds
and decides what the browser must do, ``livereload`` carries that to open pages, and ``server``
serves the output folder under the site's base path.
"""
