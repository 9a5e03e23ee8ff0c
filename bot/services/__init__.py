"""Application services: the one place between the adapters and storage.

Telegram handlers, the terminal and the CLI subcommands translate their medium into calls
here and the results back; every service opens its own transactions and checks who asks
(`Who`: a person and their lifecycle `Actor`) itself, so no adapter can decide differently.
"""
