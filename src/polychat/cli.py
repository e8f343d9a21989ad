"""The `polychat` command: serve, migrate, create-admin, reset-password, backup,
rotate-encryption-key."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence

from polychat.config import Settings
from polychat.logging_setup import configure_logging


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="polychat", description="Polychat server")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web server (migrates first by default)")
    serve.add_argument("--host", help="bind address (default POLYCHAT_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default POLYCHAT_PORT or 8080)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes")

    mig = sub.add_parser("migrate", help="apply database migrations")
    mig.add_argument("revision", nargs="?", default="head", help="target (default head)")
    mig.add_argument("--downgrade", action="store_true", help="go down to REVISION instead")

    admin = sub.add_parser("create-admin", help="create an administrator, or promote a user")
    admin.add_argument("--username", required=True)
    admin.add_argument("--email", help="required when the user does not exist yet")
    admin.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )

    reset = sub.add_parser(
        "reset-password",
        help="set a new password for a user (role unchanged) and sign them out everywhere",
    )
    reset.add_argument("username")
    reset.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from standard input (default: generate one, printed once)",
    )

    sub.add_parser("backup", help="copy the SQLite database to a timestamped file beside it")

    rotate = sub.add_parser(
        "rotate-encryption-key", help="re-encrypt every stored API key under a new master key"
    )
    rotate.add_argument(
        "--new-key-stdin",
        action="store_true",
        help="read the new master key from standard input (default: generate one)",
    )

    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level, json_logs=settings.log_json)
    if args.command == "serve":
        return _serve(settings, args.host, args.port, args.workers)
    if args.command == "migrate":
        return _migrate(settings, args.revision, args.downgrade)
    if args.command == "create-admin":
        return _create_admin(settings, args.username, args.email, args.password_stdin)
    if args.command == "reset-password":
        return _reset_password(settings, args.username, args.password_stdin)
    if args.command == "rotate-encryption-key":
        from polychat.keys.rotation import run_cli

        return run_cli(settings, sys.stdin.readline().strip() if args.new_key_stdin else None)
    return _backup(settings)


def _serve(settings: Settings, host: str | None, port: int | None, workers: int) -> int:
    import uvicorn

    from polychat.app import create_app

    if host:
        settings.host = host
    if port:
        settings.port = port
    if workers > 1:
        # Each worker builds its own app from the same environment.
        uvicorn.run(
            "polychat.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_config=None,
            access_log=False,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
        return 0
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    return 0


def _migrate(settings: Settings, revision: str, downgrade: bool) -> int:
    from polychat.db.migrate import migrate

    result = asyncio.run(
        migrate(settings, revision, direction="downgrade" if downgrade else "upgrade")
    )
    where = f" (backup: {result.backup})" if result.backup else ""
    print(f"database at {result.after or 'base'} (was {result.before or 'empty'}){where}")
    return 0


def _create_admin(
    settings: Settings, username: str, email: str | None, password_stdin: bool
) -> int:
    from polychat.admin_tools import AdminToolError, create_admin

    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password (empty to keep an existing user's): ") or None
    try:
        message = asyncio.run(create_admin(settings, username, email, password))
    except AdminToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(message)
    return 0


def _reset_password(settings: Settings, username: str, password_stdin: bool) -> int:
    from polychat.admin_tools import AdminToolError, reset_password

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        message, generated = asyncio.run(reset_password(settings, username, password))
    except AdminToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(message)
    if generated is not None:
        print(f"new password (shown once): {generated}")
    return 0


def _backup(settings: Settings) -> int:
    from polychat.db.migrate import backup_sqlite

    if not settings.is_sqlite:
        print("error: backup copies SQLite only; use pg_dump for PostgreSQL", file=sys.stderr)
        return 1
    if not settings.sqlite_path.exists():
        print(f"error: no database at {settings.sqlite_path}", file=sys.stderr)
        return 1
    print(backup_sqlite(settings.sqlite_path))
    return 0
