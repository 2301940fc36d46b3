"""Medium drafts: a card → its draft, the plan, the drafts folder, the Medium client and target,
the RSS feed, Markdown → HTML, publication and write-back to the card."""
