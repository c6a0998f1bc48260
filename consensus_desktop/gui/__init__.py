"""The PySide6 skin. The only package that imports Qt."""
