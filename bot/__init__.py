"""Adapters and the process: terminal and Telegram, the turn service, reminders, settings."""
