"""safemap: replace a map written from several goroutines with a generated, mutex-guarded SafeMap.

doc.py describes the rule; rule.py is its transform (listed in transforms.PACKAGES)."""
