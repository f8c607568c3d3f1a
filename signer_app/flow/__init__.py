"""The use cases that drive a whole activation job (Qt-free).

Filled by the flow issue; it imports the public APIs of the lower layers.
"""
