"""Data folder shipped inside the package as ``consensus_desktop.assets``. Not code."""
