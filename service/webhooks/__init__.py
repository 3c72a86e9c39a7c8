"""Signed webhooks: subscriptions, a durable outbox fed by the changes feed, a dispatcher."""
