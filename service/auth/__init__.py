"""Who may write: API tokens, namespaces, OIDC trusted publishing, failed-login rate limits."""
