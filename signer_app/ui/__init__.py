"""The PySide6 wizard. The only package (with ``launch``) that imports Qt."""
