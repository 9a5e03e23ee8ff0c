"""The domain: the report form as data, the pure dialog engine, input reading and rules.

No Telegram, no SQL, no templates here (a test checks the imports).
"""
