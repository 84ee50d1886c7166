"""``python -m redeem.fake_gifq``: serve the seeded fake on a threaded werkzeug server."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from types import FrameType

from werkzeug.serving import make_server

from redeem.fake_gifq import create_app
from redeem.fake_gifq.logos import PillowMissing


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m redeem.fake_gifq", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010, help="0 picks a free port")
    parser.add_argument("--api-token", help="the sandbox merchant token (default: random)")
    parser.add_argument(
        "--rate-limit", type=int, default=10, help="requests per second per token or IP; 0 = off"
    )
    parser.add_argument(
        "--redeem-base",
        default="http://127.0.0.1:8000",
        help="where emailed redeem links point: {redeem_base}/r/{token}",
    )
    parser.add_argument(
        "--embed-origin",
        action="append",
        default=[],
        help="an extra origin the branded campaign may be embedded on (repeatable)",
    )
    parser.add_argument("--log-requests", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not args.log_requests:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        app = create_app(
            api_token=args.api_token,
            rate_limit=args.rate_limit,
            redeem_base=args.redeem_base,
            embed_origins=args.embed_origin,
        )
    except PillowMissing as missing:
        sys.exit(f"python -m redeem.fake_gifq: {missing}")
    server = make_server(args.host, args.port, app, threaded=True)
    host = f"[{args.host}]" if ":" in args.host else args.host
    # Two lines other processes parse; flushed because stdout is usually a pipe.
    print(f"GIFQ fake listening on http://{host}:{server.server_port}", flush=True)
    print(f"sandbox token: {app.extensions['fake_gifq'].api_token}", flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
