"""The pure core of reqtrack: no I/O, no clock, no SQL, no Rich."""
