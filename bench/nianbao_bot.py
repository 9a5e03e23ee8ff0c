"""The nianbao bot as bench/load.py starts bots: Bot API address from BOTAPI_* variables.

Maps them onto the NIANBAO_* names and runs the ordinary entry point (`nianbao` with a token),
so the benchmark measures exactly the production process.
"""

from __future__ import annotations

import os
import sys

from bot.__main__ import main as nianbao_main


def main() -> int:
    os.environ["NIANBAO_TELEGRAM_TOKEN"] = os.environ["BOTAPI_TOKEN"]
    os.environ["NIANBAO_TELEGRAM_API_URL"] = os.environ["BOTAPI_BASE_URL"]
    os.environ["NIANBAO_TELEGRAM_FILE_URL"] = os.environ["BOTAPI_BASE_FILE_URL"]
    return nianbao_main(["run"])


if __name__ == "__main__":
    sys.exit(main())
