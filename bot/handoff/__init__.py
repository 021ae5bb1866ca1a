"""Human handoff: tickets (pure, `tickets.py`), routing and roster, their store and the relay that
silences the bot while an agent holds a conversation and delivers the agent's messages."""
