"""The catalog projector: the document catalog's only writer."""
