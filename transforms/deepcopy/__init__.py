"""deepcopy: hand out a copy, taken under the lock, of an inner map that leaves a locked function.

doc.py describes the rule; rule.py is its transform (listed in transforms.PACKAGES)."""
