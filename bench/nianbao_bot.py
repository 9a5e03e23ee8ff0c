"""The nianbao bot as bench/load.py starts bots: Bot API address from BOTAPI_* variables.

Maps them onto the NIANBAO_* names and runs the ordinary entry point (`nianbao` with a token),
so the benchmark measures exactly the production process. In webhook mode (several processes
behind the benchmark's balancer) BOTAPI_WEBHOOK_URL, _SECRET and _LISTEN become
NIANBAO_WEBHOOK_URL, NIANBAO_WEBHOOK_SECRET and NIANBAO_LISTEN.
"""

from __future__ import annotations

import os
import sys

from bot.__main__ import main as nianbao_main

_NAMES = {
    "BOTAPI_TOKEN": "NIANBAO_TELEGRAM_TOKEN",
    "BOTAPI_BASE_URL": "NIANBAO_TELEGRAM_API_URL",
    "BOTAPI_BASE_FILE_URL": "NIANBAO_TELEGRAM_FILE_URL",
    "BOTAPI_WEBHOOK_URL": "NIANBAO_WEBHOOK_URL",
    "BOTAPI_WEBHOOK_SECRET": "NIANBAO_WEBHOOK_SECRET",
    "BOTAPI_WEBHOOK_LISTEN": "NIANBAO_LISTEN",
}


def main() -> int:
    for given, nianbao in _NAMES.items():
        if given in os.environ:
            os.environ[nianbao] = os.environ[given]
    return nianbao_main(["run"])


if __name__ == "__main__":
    sys.exit(main())
