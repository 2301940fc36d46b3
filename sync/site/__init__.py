"""The static site: what is public, its pages, its templates, its Atom feed."""
