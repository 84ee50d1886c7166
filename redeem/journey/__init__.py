"""The journey's rules, free of Flask: which page each state shows, and the campaign memory."""
