"""deepcopy."""
