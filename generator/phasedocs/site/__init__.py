"""The MkDocs site: the plugin that adds the pages in memory, its config, build, serve and deploy."""
