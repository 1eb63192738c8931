"""The reviewer's page: server-rendered HTML (Jinja2, autoescaped), its strings in four languages, its session cookie."""
