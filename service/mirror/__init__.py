"""`registry mirror`: follow another registry's changes feed into this one's database."""
