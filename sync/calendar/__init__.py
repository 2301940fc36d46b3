"""The events calendar: card → event, the plan, the iCalendar feed, reading and merging iCalendar,
the CalDAV client and target, and calendar events as cards."""
