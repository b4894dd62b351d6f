"""A mail server that records every message it receives, one JSON line each (the rehearsal's inbox).

`--hold-to ADDRESS`: the first message to that address is recorded, a flag file is written,
and the answer is held back for `--hold-seconds`, so that the worker sending it can be killed
after the message reached the server and before it heard back.
"""

import argparse
import asyncio
import json
import time
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, out: Path, hold_to: str, hold_flag: Path, hold_seconds: float):
        self.out = out
        self.hold_to = hold_to.lower()
        self.hold_flag = hold_flag
        self.hold_seconds = hold_seconds
        self.held = False

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "received": time.time(),
            "from": envelope.mail_from,
            "to": [address.lower() for address in envelope.rcpt_tos],
            "subject": str(message["subject"]),
            "body": body.get_content() if body is not None else "",
        }
        with self.out.open("a") as out:
            out.write(json.dumps(record) + "\n")
        if self.hold_to and not self.held and self.hold_to in record["to"]:
            self.held = True
            self.hold_flag.write_text(json.dumps(record))
            await asyncio.sleep(self.hold_seconds)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--hold-to", default="")
    parser.add_argument("--hold-flag", type=Path, default=Path("/dev/null"))
    parser.add_argument("--hold-seconds", type=float, default=8.0)
    args = parser.parse_args()
    handler = Recorder(args.out, args.hold_to, args.hold_flag, args.hold_seconds)
    controller = Controller(handler, hostname="127.0.0.1", port=args.port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
