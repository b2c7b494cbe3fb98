#!/usr/bin/python3
"""A real SMTP server for the tests: Debian's aiosmtpd on 127.0.0.1, never a mock.

Run it with Debian's Python, which has the package `python3-aiosmtpd`:

    /usr/bin/python3 collector/tests/support/smtp_server.py --dir /tmp/mails \
        [--port 0] [--exit-on-eof] [--auth USER:PASSWORD]

It listens on 127.0.0.1 (port 0: a free one) and, once it accepts connections, prints one line
to stdout and flushes it:

    {"listening": "127.0.0.1:41234", "port": 41234}

For every message it accepts it writes two files into --dir (created if missing):
`<n>.eml`, the message exactly as received, and then `<n>.json` (n = `0001`, `0002` ...):

    {"mail_from": "...", "rcpt_tos": ["..."], "eml": "0001.eml",
     "subject": "...", "to": "...", "text": "<decoded text/plain part>",
     "html": "<decoded text/html part>", "attachments": [{"filename": "...", "content_type": "..."}]}

The `.json` appears only after the `.eml` is complete, so a reader polls for `.json` files. The
same object is printed to stdout as one line, {"received": {...}}.

With --auth USER:PASSWORD it requires SMTP AUTH with these credentials (without TLS: a test
server on 127.0.0.1); a wrong password is answered with 535.

Recipients at example.invalid steer the answers, to test failures:
- `reject@example.invalid`: `550 5.1.1` (permanent), the message is not accepted;
- `busy@example.invalid`: `451 4.3.0` (temporary).

It stops on SIGTERM or SIGINT, and with --exit-on-eof also when its standard input closes
(so that it never outlives a test that started it with a pipe on stdin).
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import signal
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

REJECT = "reject@example.invalid"
BUSY = "busy@example.invalid"


class Handler:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() == REJECT:
            return "550 5.1.1 Mailbox unavailable (test rejection)"
        if address.lower() == BUSY:
            return "451 4.3.0 Try again later (test)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stem = f"{self.count:04d}"
        eml = os.path.join(self.directory, stem + ".eml")
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        write_atomically(eml, data)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "eml": stem + ".eml",
        }
        try:
            record.update(decoded(data))
        except Exception as e:  # a test may send anything; the raw .eml is there regardless
            record["decode_error"] = repr(e)
        write_atomically(
            os.path.join(self.directory, stem + ".json"),
            json.dumps(record).encode("utf-8"),
        )
        emit({"received": record})
        return "250 Message accepted for delivery"


def decoded(data):
    """What a mail program shows, for tests without a MIME parser (e.g. node)."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    shown = {
        "subject": str(message.get("Subject", "")),
        "to": str(message.get("To", "")),
        "list_unsubscribe": message.get("List-Unsubscribe"),
        "list_unsubscribe_post": message.get("List-Unsubscribe-Post"),
        "text": None,
        "html": None,
        "attachments": [],
    }
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is not None:
            shown["text" if kind == "plain" else "html"] = part.get_content()
    for part in message.iter_attachments():
        shown["attachments"].append(
            {"filename": part.get_filename(), "content_type": part.get("Content-Type")}
        )
    return shown


def emit(value):
    """One JSON line on stdout; a reader that went away is no reason to refuse mail."""
    try:
        print(json.dumps(value), flush=True)
    except OSError:
        pass


def write_atomically(path, data):
    partial = path + ".partial"
    with open(partial, "wb") as f:
        f.write(data)
    os.replace(partial, path)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, help="folder for the received messages")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--exit-on-eof", action="store_true", help="stop when stdin closes")
    parser.add_argument(
        "--auth",
        metavar="USER:PASSWORD",
        help="require SMTP AUTH (PLAIN or LOGIN, allowed without TLS) with these credentials",
    )
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    loop = asyncio.get_running_loop()
    handler = Handler(args.dir)
    options = {"enable_SMTPUTF8": True, "hostname": "smtp-test.localhost"}
    if args.auth:
        user, _, password = args.auth.partition(":")
        expected = LoginPassword(user.encode(), password.encode())

        def authenticator(server, session, envelope, mechanism, auth_data):
            # handled=False: the server answers 535 itself on a failure.
            return AuthResult(success=auth_data == expected, handled=False)

        # Plain-text AUTH is the point of a test server on 127.0.0.1: no warnings about it.
        warnings.simplefilter("ignore")
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        options.update(
            authenticator=authenticator, auth_required=True, auth_require_tls=False
        )
    server = await loop.create_server(
        lambda: SMTP(handler, **options),
        host="127.0.0.1",
        port=args.port,
    )
    port = server.sockets[0].getsockname()[1]
    emit({"listening": f"127.0.0.1:{port}", "port": port})

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_eof:
        def on_stdin():
            if not os.read(sys.stdin.fileno(), 4096):
                loop.remove_reader(sys.stdin.fileno())
                stop.set()

        loop.add_reader(sys.stdin.fileno(), on_stdin)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
