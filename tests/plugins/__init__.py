"""Provider plugins that live outside Polychat, used to test the entry-point path."""
