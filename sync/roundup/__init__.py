"""The "two weeks on" roundup: a period → what happened in it, rendering, targets."""
