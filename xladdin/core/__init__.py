"""The scoring core: pure models and functions, no file or Excel I/O."""
