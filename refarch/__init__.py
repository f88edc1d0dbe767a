"""refarch: a spec-first reference architecture kit.

The toolkit's core (`refarch.specs`, `refarch.pg`, `refarch.migrate`) is shared by every
other part; see ARCHITECTURE.md for which part may import which.
"""

__version__ = "0.1.0"
