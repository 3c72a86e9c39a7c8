"""The web catalogue (DESIGN §9): server-rendered pages over the registry's services."""
