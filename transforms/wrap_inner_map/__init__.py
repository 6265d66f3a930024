"""wrap-inner-map: the inner maps of a nested map become a named wrapper type, every use rewritten.

doc.py describes the rule; rule.py is its transform (listed in transforms.PACKAGES)."""
