"""map_to_c."""
