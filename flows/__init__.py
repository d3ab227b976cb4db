"""The conversation, free of any transport: events in, new session and effects out."""
