"""gomapfix: find and safely rewrite the hazards where nested Go maps meet cgo and concurrency."""

__version__ = "0.1.0"
