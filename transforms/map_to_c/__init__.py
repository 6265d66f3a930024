"""map-to-c: report Go maps, and values holding one, passed to C.

doc.py describes the rule; rule.py is its transform (listed in transforms.PACKAGES)."""
