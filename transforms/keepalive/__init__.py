"""keepalive: keep an owner object alive after a C call that receives only its C handle.

doc.py describes the rule; rule.py is its transform (listed in transforms.PACKAGES)."""
