"""The events steps of the sync: cards → calendar (outbound) and calendar → cards (inbound)."""
