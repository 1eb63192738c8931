"""The adapters layer: stores, embedders, language, formats, caches, LLM clients; imports no worker, no gateway, no runtime."""
