"""One module per provider, each defining `HARNESSES: list[ProviderHarness]` (see harness.py)."""
