"""Data folder shipped inside the package as ``consensus_desktop.bundled_models``: the model catalog
and trained reward heads. Not code."""
