"""Search over agents, skills and toolsets: weighted full text, trigram names, filters."""
