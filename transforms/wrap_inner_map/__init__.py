"""wrap_inner_map."""
