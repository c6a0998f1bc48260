"""Everything a session produces, logged to SQLite; sessions leave the laptop as one file."""
