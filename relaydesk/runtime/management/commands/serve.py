"""`relaydesk serve`: everything one machine needs, in one command.

Migrates, loads demo data into an empty database, then runs and supervises three processes:
the web server (gunicorn; waitress on Windows), the task worker and the scheduler.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from relaydesk.accounts.models import User


def default_workers() -> int:
    return max(2, min(2 * (os.cpu_count() or 1) + 1, 8))


class Command(BaseCommand):
    help = "Migrate, load demo data on first run, and serve web + worker + scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("RELAYDESK_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=default_workers(),
                            help="web server processes")  # fmt: skip
        parser.add_argument("--dev", action="store_true",
                            help="Django's autoreloading development server instead")  # fmt: skip
        parser.add_argument("--no-demo", action="store_true", help="never load demo data")
        parser.add_argument("--no-worker", action="store_true", help="do not run the worker")

    def handle(self, *args, host, port, workers, dev, no_demo, no_worker, **options):
        self.stdout.write("Migrating the database...")
        call_command("migrate", interactive=False, verbosity=0)
        if not settings.DEBUG and not dev:
            call_command("collectstatic", interactive=False, verbosity=0)
        first_run = not User.objects.exists()
        if first_run and not no_demo:
            self.stdout.write("Empty database: loading demo data...")
            call_command("demo_data", verbosity=0)
        processes = self._start(host, port, workers, dev, no_worker)
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
        self._banner(url, show_logins=not no_demo)
        self._supervise(processes)

    def _start(self, host, port, workers, dev, no_worker) -> dict[str, subprocess.Popen]:
        manage = [sys.executable, "-m", "relaydesk.cli"]
        commands = {}
        if dev:
            commands["web"] = [*manage, "runserver", f"{host}:{port}"]
        elif sys.platform == "win32":
            commands["web"] = [sys.executable, "-m", "waitress", f"--listen={host}:{port}",
                               "relaydesk.wsgi:application"]  # fmt: skip
        else:
            commands["web"] = [
                sys.executable, "-m", "gunicorn", "relaydesk.wsgi:application",
                "--bind", f"{host}:{port}", "--workers", str(workers),
                "--access-logfile", "-", "--graceful-timeout", "10",
                "--config", "python:relaydesk.runtime.gunicorn_conf",
            ]  # fmt: skip
        if not no_worker:
            commands["worker"] = [*manage, "db_worker", "--interval", "0.5", "--no-reload"]
            commands["scheduler"] = [*manage, "scheduler"]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "relaydesk.settings"}
        return {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}  # noqa: S603

    def _banner(self, url: str, show_logins: bool) -> None:
        from relaydesk.runtime.demo import DEMO_LOGINS, DEMO_PASSWORD

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Relaydesk is running at {url}/"))
        self.stdout.write(f"  customer portal  {url}/")
        self.stdout.write(f"  agent desk       {url}/desk/")
        self.stdout.write(f"  administration   {url}/admin/")
        if show_logins and User.objects.filter(email__in=[e for e, _ in DEMO_LOGINS]).exists():
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for email, what in DEMO_LOGINS:
                self.stdout.write(f"  {email:<28} {what}")
        self.stdout.write("Press Ctrl+C to stop.")

    def _supervise(self, processes: dict[str, subprocess.Popen]) -> None:
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        failed = None
        while not stopping and failed is None:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    failed = name
            time.sleep(0.5)
        for proc in processes.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in processes.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if failed:
            self.stderr.write(
                f"The {failed} process stopped (exit {processes[failed].returncode}); "
                "stopped the others too. See its output above."
            )
            sys.exit(1)
